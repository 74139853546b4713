import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from './app-fixture';

describe('cdk-nag AwsSolutions on the real app', () => {
  it('has no unacknowledged error or warning', () => {
    // Prepare: the real catalog and queues, exactly as infra/app.ts builds them.
    const { app } = buildApp();

    // Act: synthesise (runs aspects and the registered plugin) then collect every finding.
    app.synth();
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );

    // Assess
    expect(findings).toEqual([]);
  });

  it('fails the synth when a finding is not acknowledged', () => {
    const { app, stateful } = buildApp();
    // An SQS queue without DLQ, SSE or TLS enforcement is three AwsSolutions errors.
    const { Queue, QueueEncryption } = jest.requireActual('aws-cdk-lib/aws-sqs');
    new Queue(stateful, 'Unchecked', { encryption: QueueEncryption.UNENCRYPTED });

    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
