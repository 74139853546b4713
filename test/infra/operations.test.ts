import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { PROJECT_ROOT } from '../../infra/stacks/switchboard';
import { buildApp } from './app-fixture';

const RUNBOOK = /docs\/runbooks\/([a-z0-9-]+)\.md/;

function alarmsOf(template: Template): [string, Record<string, any>][] {
  return Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => [id, r.Properties]);
}

describe('operations: alarms that reach someone, runbooks, a dashboard', () => {
  const built = buildApp({}, { alarmEmail: 'oncall@isv.example.com' });
  const stateful = built.statefulTemplate();
  const platform = built.platformTemplate();
  const monitoring = built.monitoringTemplate();
  const topicId = Object.keys(stateful.findResources('AWS::SNS::Topic'))[0]!;
  const all = [...alarmsOf(stateful), ...alarmsOf(platform), ...alarmsOf(monitoring)];

  it('has one TLS-only alarm topic with the e-mail from the context', () => {
    stateful.resourceCountIs('AWS::SNS::Topic', 1);
    stateful.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@isv.example.com', TopicArn: { Ref: topicId } });
    stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('gives every alarm of both stacks an action on ALARM and on OK, and a runbook that exists', () => {
    expect(all.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const [id, props] of all) {
      if ((props.AlarmActions ?? []).length === 0) problems.push(`${id}: no ALARM action`);
      if ((props.OKActions ?? []).length === 0) problems.push(`${id}: no OK action`);
      const match = RUNBOOK.exec(props.AlarmDescription ?? '');
      if (!match) problems.push(`${id}: no runbook in its description`);
      else if (!fs.existsSync(path.join(PROJECT_ROOT, match[0]))) problems.push(`${id}: ${match[0]} does not exist`);
    }
    expect(problems).toEqual([]);
  });

  it('sends the stateful alarms to the topic itself and the platform alarms to its exported ARN', () => {
    for (const [, props] of alarmsOf(stateful)) expect(props.AlarmActions).toEqual([{ Ref: topicId }]);
    for (const [, props] of [...alarmsOf(platform), ...alarmsOf(monitoring)]) expect(JSON.stringify(props.AlarmActions)).toMatch(/AlarmsTopic/);
  });

  it('covers DLQs, queue age, each function group, the API, webhooks, onboarding, DynamoDB, KMS, partner deliveries and Twilio', () => {
    const names = all.map(([, p]) => String(p.AlarmName ?? '')).join('\n');
    for (const expected of [
      /-oldest-message$/m,
      /-api-errors\d*$/m,
      /-api-throttles\d*$/m,
      /-webhooks-errors$/m,
      /-consumers-errors$/m,
      /-workflow-errors$/m,
      /-schedules-errors$/m,
      /-streams-errors$/m,
      /-api5xx-rate$/m,
      /-api-latency-p99$/m,
      /-webhook-refusals$/m,
      /-onboarding-failed$/m,
      /-table-throttles$/m,
      /-kms-request-rate$/m,
      /-partner-delivery-failure-rate$/m,
      /-partner-endpoints-disabled$/m,
      /-twilio-throttling$/m,
    ]) {
      expect(names).toMatch(expected);
    }
    // DLQ alarms (stateful queues, stream DLQs) keep their one-message threshold.
    expect(all.filter(([, p]) => /dead-letter-queue\.md/.test(p.AlarmDescription)).length).toBeGreaterThanOrEqual(2);
  });

  it('alarms on refusals with a query over the metric the receivers publish', () => {
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'switchboard-dev-webhook-refusals',
      Metrics: [Match.objectLike({ Expression: 'SELECT SUM(WebhookRejected) FROM Switchboard' })],
    });
  });

  it('keeps every metric math alarm within 10 metrics', () => {
    for (const [id, props] of all) {
      const metrics = (props.Metrics ?? []).filter((m: any) => m.MetricStat);
      expect({ id, count: metrics.length <= 10 }).toEqual({ id, count: true });
    }
  });

  it('has one dashboard for the stage naming each path', () => {
    monitoring.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [dashboard] = Object.values(monitoring.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const section of ['## API', '## Webhooks in', '## Queues', '## Consumers', '## Onboarding', '## Messaging', '## Partner deliveries']) {
      expect(body).toContain(section);
    }
    expect(dashboard!.Properties.DashboardName).toBe('switchboard-dev');
  });
});

describe('webhook receivers cannot starve the account', () => {
  const receivers = (context: Record<string, unknown>) =>
    Object.values(buildApp({}, context).platformTemplate().findResources('AWS::Lambda::Function'))
      .filter((r: any) => /^Twilio .*verify signature/.test(r.Properties.Description ?? ''))
      .map((r: any) => r.Properties.ReservedConcurrentExecutions);

  it('reserves (caps) 25 concurrent executions per receiver by default, and only for receivers', () => {
    const all = Object.values(built().findResources('AWS::Lambda::Function')) as any[];
    const reserved = all.filter((r) => r.Properties.ReservedConcurrentExecutions !== undefined);
    expect(reserved.length).toBe(4);
    expect(reserved.every((r) => r.Properties.ReservedConcurrentExecutions === 25)).toBe(true);
  });

  it('follows the webhookReservedConcurrency context, 0 = unreserved', () => {
    expect(receivers({ webhookReservedConcurrency: 40 })).toEqual([40, 40, 40, 40]);
    expect(receivers({ webhookReservedConcurrency: 0 })).toEqual([undefined, undefined, undefined, undefined]);
    expect(() => buildApp({}, { webhookReservedConcurrency: -1 })).toThrow(/webhookReservedConcurrency/);
  });

  function built() {
    return buildApp().platformTemplate();
  }
});
