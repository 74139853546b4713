import { Match, Template } from 'aws-cdk-lib/assertions';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { TOKEN_CONTEXT_KEYS, WEBHOOK_SECRET_CONTEXT_KEYS } from '../../infra/constructs/token-key';
import { asArray, buildApp, policyStatements } from './app-fixture';

/** The partner webhook machinery in the deployed stack: stream fan-out, the retry sweeper's schedule, secret grants. */
describe('partner webhooks infrastructure', () => {
  let template: Template;
  beforeAll(() => {
    template = buildApp().platformTemplate();
  });
  const statementsOf = (id: string) => policyStatements(template).filter(({ policy }) => policy.startsWith(`Functions${pascalCase(id)}Role`)).map(({ statement }) => statement);

  it('feeds the fan-out from the table stream, filtered to new partner events, bisecting failures into a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^FunctionsStreamsPartnerEventsFunction') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['PartnerEvent'] } } } }) }] },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsStreamsPartnerEventsStreamDeadLetterQueue'), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('streams-partner-events'), Threshold: 1 });
  });

  it('runs the retry sweeper every minute', () => {
    // EventBridge Scheduler, handing the handler the run's scheduled time as `time`.
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsSchedulesDeliveryRetriesFunction'), 'Arn'] },
        Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>', source: 'aws.scheduler' }),
      }),
    });
  });

  it('lets delivery functions open webhook secrets only, under their own context, and nothing of Twilio', () => {
    for (const id of ['queues-deliveries', 'queues-delivery-retries', 'queues-replays']) {
      const statements = statementsOf(id);
      // (The table's own key, used by DynamoDB on the function's behalf, is granted only via DynamoDB.)
      const kms = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')) && !s.Condition?.StringEquals?.['kms:ViaService']);
      expect(kms).toEqual([
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Condition: {
            'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...WEBHOOK_SECRET_CONTEXT_KEYS] },
            StringEquals: { 'kms:EncryptionContext:purpose': 'partner-webhook-secret' },
            StringLike: { 'kms:EncryptionContext:partnerId': '*', 'kms:EncryptionContext:webhookEndpointId': '*' },
          },
        }),
      ]);
      const actions = statements.flatMap((s) => asArray(s.Action));
      expect(actions.some((a) => a.startsWith('secretsmanager:') || a.startsWith('states:'))).toBe(false);
    }
    // Token holders keep their own key set: their grant can never open a webhook secret.
    const tokenGrant = statementsOf('workflow-run-step').find((s) => asArray(s.Action).includes('kms:Decrypt') && !s.Condition?.StringEquals?.['kms:ViaService']);
    expect(tokenGrant?.Condition?.['ForAllValues:StringEquals']).toEqual({ 'kms:EncryptionContextKeys': [...TOKEN_CONTEXT_KEYS] });
  });

  it('gives the table a stream of new images, and no function the local loopback setting', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 7);
    const stateful = buildApp().statefulTemplate();
    stateful.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(Object.keys((fn as { Properties: { Environment?: { Variables?: object } } }).Properties.Environment?.Variables ?? {})).not.toContain('PARTNER_WEBHOOKS_ALLOW_LOOPBACK');
    }
  });
});
