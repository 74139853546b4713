import { Template } from 'aws-cdk-lib/assertions';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { QUEUES } from '../../shared/queue/queues';
import { asArray, buildApp, policyStatements } from './app-fixture';

/** What the partner status route and the webhook receivers' refusal counters may do in AWS: exactly what they read and write. */
describe('partner status infrastructure', () => {
  let template: Template;
  beforeAll(() => {
    template = buildApp().platformTemplate();
  });
  /** Every statement of every policy attached to the function's role (its default policy and any of its own). */
  const statementsOf = (id: string) =>
    policyStatements(template)
      .filter(({ policy, roles }) => policy.startsWith(`Functions${pascalCase(id)}`) && JSON.stringify(roles).includes(`Functions${pascalCase(id)}Role`))
      .map(({ statement }) => statement);

  it('lets the status route read queue attributes of every work queue and DLQ, CloudWatch metric data, and nothing of a queue’s messages', () => {
    const statements = statementsOf('status-get');
    const sqs = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
    expect(sqs).toHaveLength(1);
    expect(sqs[0]!.Action).toBe('sqs:GetQueueAttributes');
    expect(asArray(sqs[0]!.Resource)).toHaveLength(Object.keys(QUEUES).length * 2);
    const metrics = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('cloudwatch:')));
    expect(metrics).toEqual([expect.objectContaining({ Action: 'cloudwatch:GetMetricData', Resource: '*' })]);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(actions.some((a) => ['sqs:ReceiveMessage', 'sqs:SendMessage', 'sqs:DeleteMessage'].includes(a) || a.startsWith('kms:Encrypt'))).toBe(false);
  });

  it('names every queue URL for the depth port', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((r) => JSON.stringify(r.Properties.Environment ?? {}).includes('QUEUE_DEPTH_URLS'));
    expect(fn).toBeDefined();
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => JSON.stringify(template.findResources('AWS::Lambda::Function')[id]!.Properties.Environment ?? {}).includes('QUEUE_DEPTH_URLS'))).toEqual([
      expect.stringMatching(/^FunctionsStatusGetFunction/),
    ]);
  });

  it('lets each webhook receiver update only the refusal counters, beside its reads', () => {
    for (const id of ['webhooks-inbound', 'webhooks-status', 'webhooks-events', 'webhooks-trusthub']) {
      const writes = statementsOf(id).filter((s) => asArray(s.Action).some((a) => ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'].includes(a)));
      expect(writes).toEqual([
        expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEBHOOK_REFUSALS#*'] } } }),
      ]);
    }
  });
});
