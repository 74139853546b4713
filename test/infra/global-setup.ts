import { PROJECT_ROOT } from '../../infra/stacks/switchboard';
import { ensurePortalBuilt } from '../../infra/local/portal-build';

/** The platform stack deploys the built portal and builds it when stale: once here, not in every worker at the same time. */
export default function globalSetup(): void {
  ensurePortalBuilt(PROJECT_ROOT);
}
