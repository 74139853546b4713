import { Template } from 'aws-cdk-lib/assertions';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { functionsOf, projectCatalog } from '../../infra/local/local-catalog';
import { streamFilterPattern } from '../../infra/local/streams';
import { buildApp } from './app-fixture';

/** The local stream poller filters with exactly the pattern the deployed event source mapping is given. */
describe('table stream filters, deployed and local', () => {
  let template: Template;
  beforeAll(() => {
    template = buildApp().platformTemplate();
  });

  it('uses the FilterCriteria pattern of each stream function’s event source mapping', () => {
    const streamFunctions = functionsOf(projectCatalog, 'tableStream');
    expect(streamFunctions.length).toBe(catalog.filter((fn) => fn.trigger.kind === 'tableStream').length);
    expect(streamFunctions.length).toBeGreaterThan(0);
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as { Properties: { FunctionName: { Ref: string }; FilterCriteria?: { Filters: { Pattern: string }[] } } }[];
    for (const fn of streamFunctions) {
      const mapping = mappings.find((m) => m.Properties.FunctionName.Ref.startsWith(`Functions${pascalCase(fn.id)}Function`));
      expect(mapping).toBeDefined();
      const patterns = mapping!.Properties.FilterCriteria!.Filters.map((f) => JSON.parse(f.Pattern));
      expect(patterns).toEqual([streamFilterPattern(fn.trigger.filter)]);
    }
  });
});
