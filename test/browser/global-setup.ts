import { PROJECT_ROOT } from '../../infra/local/platform';
import { ensurePortalBuilt } from '../../infra/local/portal-build';
import integrationSetup from '../integration/global-setup';

/** The integration layer's DynamoDB Local, and the portal built once before any worker serves it. */
export default async function globalSetup(): Promise<void> {
  ensurePortalBuilt(PROJECT_ROOT);
  await integrationSetup();
}
