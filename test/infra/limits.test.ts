import type { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from './app-fixture';

// CloudFormation refuses a template with more than 500 resources or 200 parameters. The synth
// catches the resource limit too, but only once it is passed; this keeps a margin in sight.
const MAX_RESOURCES = 500;
const MAX_PARAMETERS = 200;

describe('CloudFormation limits', () => {
  const built = buildApp();
  const stacks: [string, Template][] = [
    ['stateful', built.statefulTemplate()],
    ['platform', built.platformTemplate()],
    ['api (nested)', built.apiTemplate()],
    ['portal (nested)', built.portalTemplate()],
    ['monitoring (nested)', built.monitoringTemplate()],
  ];

  it.each(stacks)('keeps the %s stack within 80%% of the resource and parameter limits', (_name, template) => {
    const { Resources = {}, Parameters = {} } = template.toJSON();
    expect(Object.keys(Resources).length).toBeLessThan(MAX_RESOURCES * 0.8);
    expect(Object.keys(Parameters).length).toBeLessThan(MAX_PARAMETERS * 0.8);
  });
});
