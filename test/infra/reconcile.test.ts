import { Match, Template } from 'aws-cdk-lib/assertions';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { OPS_METRICS } from '../../infra/constructs/ops-metrics';
import { TOKEN_CONTEXT_KEYS } from '../../infra/constructs/token-key';
import { asArray, buildApp, policyStatements } from './app-fixture';

/** The reconciliation sweep in the deployed stack: its schedule, its least-privilege role, its alarm. */
describe('reconciliation sweep infrastructure', () => {
  let template: Template;
  let monitoring: Template;
  beforeAll(() => {
    const app = buildApp();
    template = app.platformTemplate();
    monitoring = app.monitoringTemplate();
  });
  const statements = () => policyStatements(template).filter(({ policy }) => policy.startsWith(`Functions${pascalCase('schedules-reconcile')}Role`)).map(({ statement }) => statement);

  it('runs every five minutes, as the catalog says', () => {
    expect(catalog.find((f) => f.id === 'schedules-reconcile')?.trigger).toEqual({ kind: 'schedule', rateMinutes: 5 });
    // EventBridge Scheduler, handing the handler the run's scheduled time as `time`.
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsSchedulesReconcileFunction'), 'Arn'] },
        Input: JSON.stringify({ time: '<aws.scheduler.scheduled-time>', source: 'aws.scheduler' }),
      }),
    });
  });

  it('may read and write the table, open subaccount tokens under their context and report task tokens, nothing more', () => {
    // (The table's own key, used by DynamoDB on the function's behalf, is granted only via DynamoDB.)
    const own = statements().filter((s) => !s.Condition?.StringEquals?.['kms:ViaService']);
    const actions = own.flatMap((s) => asArray(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'kms:Decrypt', 'states:SendTaskSuccess']));
    // No starting executions, no queues, no master secret, no encrypting.
    expect(actions.filter((a) => a === 'states:StartExecution' || a.startsWith('sqs:') || a.startsWith('secretsmanager:') || a === 'kms:Encrypt' || a === 'kms:GenerateDataKey')).toEqual([]);
    expect(actions.some((a) => a.endsWith('*') && !a.startsWith('dynamodb:') && !a.startsWith('xray:') && !a.startsWith('kms:'))).toBe(false);
    const tokenGrant = statements().find((s) => asArray(s.Action).includes('kms:Decrypt') && !s.Condition?.StringEquals?.['kms:ViaService']);
    expect(tokenGrant?.Condition?.['ForAllValues:StringEquals']).toEqual({ 'kms:EncryptionContextKeys': [...TOKEN_CONTEXT_KEYS] });
  });

  it('alarms when repairs spike (events being lost), naming its runbook', () => {
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp(`${OPS_METRICS.reconcileRepaired.name}.*Runbook: docs/runbooks/reconcile-repairs\\.md`),
      Threshold: 10,
      Metrics: [Match.objectLike({ Expression: `SELECT SUM(${OPS_METRICS.reconcileRepaired.name}) FROM Switchboard`, Period: 3600 })],
    });
  });
});
