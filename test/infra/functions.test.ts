import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { twilioInBundle, type TwilioInBundle } from '../../bench/bundles';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { TOKEN_CONTEXT_KEYS } from '../../infra/constructs/token-key';
import { asArray, buildApp, policyStatements, type CfnResource } from './app-fixture';
import { FIXTURE_FUNCTIONS, FIXTURE_QUEUES } from './fixtures';

const functionsOf = (template: Template) => template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>;
const functionId = (id: string) => Match.stringLikeRegexp(`^Functions${pascalCase(id)}Function`);
/** Statements of the one role policy that belongs to the given catalog function. */
function statementsOf(template: Template, id: string) {
  return policyStatements(template).filter(({ policy }) => policy.startsWith(`Functions${pascalCase(id)}Role`)).map(({ statement }) => statement);
}
const actionsOf = (statements: { Action: string | string[] }[]) => statements.flatMap((s) => asArray(s.Action)).sort();

describe('functions generated from the real catalog', () => {
  let template: Template;
  beforeAll(() => {
    template = buildApp().platformTemplate();
  });

  it('runs each schedule of the catalog on EventBridge Scheduler, through one role that can invoke only the scheduled functions', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as CfnResource[];
    const scheduled = catalog.filter((f) => f.trigger.kind === 'schedule');
    expect(schedules).toHaveLength(scheduled.length);
    expect(template.findResources('AWS::Events::Rule')).toEqual({});
    for (const f of scheduled) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: `rate(${f.trigger.kind === 'schedule' ? f.trigger.rateMinutes : 0} minute${f.trigger.kind === 'schedule' && f.trigger.rateMinutes === 1 ? '' : 's'})`,
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId(f.id), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: Match.anyValue() } }),
      });
    }
    const roles = new Set(schedules.map((r) => JSON.stringify((r.Properties!.Target as { RoleArn: unknown }).RoleArn)));
    expect(roles.size).toBe(1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } } })] },
    });
    const statements = policyStatements(template).filter(({ policy }) => policy.startsWith('FunctionsSchedulesRole')).map(({ statement }) => statement);
    expect(actionsOf(statements).every((a) => a === 'lambda:InvokeFunction')).toBe(true);
    const targets = JSON.stringify(statements.map((st) => (st as unknown as { Resource: unknown }).Resource));
    for (const f of catalog) expect(targets.includes(`Functions${pascalCase(f.id)}Function`)).toBe(f.trigger.kind === 'schedule');
  });

  it('creates exactly one function per catalog entry', () => {
    const functions = Object.values(functionsOf(template));
    expect(functions).toHaveLength(catalog.length);
    expect(functions.map((f) => f.Properties!.Description).sort()).toEqual(catalog.map((f) => f.description).sort());
  });

  it('applies the project defaults: Node.js 24 on arm64, active tracing, Powertools settings', () => {
    for (const spec of catalog) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: spec.description,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: spec.memoryMb ?? 512,
        Timeout: spec.timeoutSeconds ?? 10,
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: spec.id,
            POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    }
  });

  it('gives every function its own log group with a retention', () => {
    const logGroups = template.findResources('AWS::Logs::LogGroup') as Record<string, CfnResource>;
    for (const fn of Object.values(functionsOf(template))) {
      const logGroupId = fn.Properties!.LoggingConfig.LogGroup.Ref as string;
      expect(logGroups[logGroupId]?.Properties?.RetentionInDays).toBe(30);
    }
    const used = Object.values(functionsOf(template)).map((fn) => fn.Properties!.LoggingConfig.LogGroup.Ref);
    expect(new Set(used).size).toBe(catalog.length);
  });

  it('gives every function its own role, with no managed policies', () => {
    const roles = Object.values(functionsOf(template)).map((fn) => fn.Properties!.Role['Fn::GetAtt'][0]);
    expect(new Set(roles).size).toBe(catalog.length);
    const allRoles = template.findResources('AWS::IAM::Role') as Record<string, CfnResource>;
    for (const role of roles) expect(allRoles[role]!.Properties!.ManagedPolicyArns).toBeUndefined();
  });

  it('gives every GET route read rights only — no item write, no decrypt, no queue, no workflow — but the two that refresh from Twilio, the portal link, and usage reading the master secret', () => {
    // A brand or campaign under review is read from Twilio on GET and what changed is stored. A
    // portal link is opened by a browser navigating to it (a GET by nature): it is marked used and
    // its session written.
    const refreshingReads = new Set(['brands-list', 'campaigns-list', 'portal-link-open']);
    const reads = catalog.filter((f) => f.trigger.kind === 'api' && f.trigger.method === 'GET' && !refreshingReads.has(f.id));
    expect(reads.length).toBeGreaterThan(10);
    const writes = /^(dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|ConditionCheckItem)|kms:(Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant)|sqs:SendMessage|states:.*|secretsmanager:GetSecretValue)$/;
    // The table's own key, usable only through DynamoDB to read the table, is not a decrypt of ours.
    const throughDynamo = (s: { Condition?: unknown }) => JSON.stringify(s.Condition ?? {}).includes('dynamodb.');
    // Usage reads Twilio's usage records with the master credentials on the subaccount's path (the
    // alternative, the subaccount's own token, would need a decrypt of ours): the master secret, read only.
    const masterReads = new Set(['customers-usage']);
    const masterSecret = (s: { Action?: unknown; Condition?: unknown }) =>
      JSON.stringify(s.Action) === JSON.stringify('secretsmanager:GetSecretValue') || JSON.stringify(s.Condition ?? {}).includes('kms:EncryptionContext:SecretARN');
    for (const route of reads) {
      expect({ route: route.id, access: route.access.table ?? 'none', keys: route.access.keys ?? [] }).toEqual({ route: route.id, access: expect.stringMatching(/^(read|none)$/), keys: [] });
      expect({ route: route.id, twilioMaster: route.access.twilioMaster ?? false }).toEqual({ route: route.id, twilioMaster: masterReads.has(route.id) });
      const allowed = (s: { Action?: unknown; Condition?: unknown }) => throughDynamo(s) || (masterReads.has(route.id) && masterSecret(s));
      const granted = actionsOf(statementsOf(template, route.id).filter((s) => !allowed(s as { Action?: unknown; Condition?: unknown }))).filter((a) => writes.test(a));
      expect({ route: route.id, granted }).toEqual({ route: route.id, granted: [] });
    }
  });

  it('grants table read as GetItem/BatchGetItem/Query only, and never Scan', () => {
    const readers = catalog.filter((f) => f.access.table === 'read');
    expect(readers.length).toBeGreaterThan(0);
    // A table-stream consumer also reads the stream (its event source mapping does, with the function's role).
    const streamRead = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
    for (const reader of readers) {
      const dynamo = actionsOf(statementsOf(template, reader.id)).filter((a) => a.startsWith('dynamodb:'));
      // The webhook receivers also count refusals, with UpdateItem on those counters only (test/infra/partner-status.test.ts).
      const expected = [
        'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query',
        ...(reader.trigger.kind === 'tableStream' ? streamRead : []),
        ...(reader.access.webhookRefusals ? ['dynamodb:UpdateItem'] : []),
      ].sort();
      expect(dynamo).toEqual(expected);
    }
    expect(policyStatements(template).flatMap(({ statement }) => asArray(statement.Action))).not.toContain('dynamodb:Scan');
  });

  it('gives the portal session routes the table and nothing else: no key, queue, secret, workflow or egress', () => {
    const portal = catalog.filter((f) => /^(portal-|customers-portal-sessions-)/.test(f.id));
    expect(portal.map((f) => f.id).sort()).toEqual(['customers-portal-sessions-create', 'portal-link-open', 'portal-logout', 'portal-sessions-create', 'portal-sessions-current', 'portal-sessions-delete']);
    // The two that mint links also read the portal's base URL (one SSM parameter, test/infra/portal-site.test.ts).
    const minting = ['customers-portal-sessions-create', 'portal-sessions-create'];
    for (const fn of portal) {
      const access = { table: fn.id === 'portal-sessions-current' ? 'read' : 'readwrite', ...(minting.includes(fn.id) && { portalLinks: true }) };
      expect({ id: fn.id, access: fn.access }).toEqual({ id: fn.id, access });
      // The table's own key, usable only through DynamoDB, and the function's own log group are not rights of ours.
      const throughDynamo = (st: { Condition?: unknown }) => JSON.stringify(st.Condition ?? {}).includes('dynamodb.');
      const statements = statementsOf(template, fn.id).filter((st) => !throughDynamo(st as { Condition?: unknown }));
      const foreign = actionsOf(statements).filter((a) => !/^(dynamodb|xray|logs):/.test(a));
      expect({ id: fn.id, foreign }).toEqual({ id: fn.id, foreign: minting.includes(fn.id) ? ['ssm:GetParameter'] : [] });
    }
    // The session is resolved by the authorizer, which only ever reads.
    expect(catalog.find((f) => f.id === 'authorizer')!.access).toEqual({ table: 'read' });
    const authorizerDynamo = actionsOf(statementsOf(template, 'authorizer')).filter((a) => a.startsWith('dynamodb:'));
    expect(authorizerDynamo).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('adds item writes (the actions TransactWriteItems is authorised by) for readwrite', () => {
    const writer = catalog.find((f) => f.access.table === 'readwrite')!;
    const dynamo = actionsOf(statementsOf(template, writer.id)).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });

  it('names the table and each index as resources (no index/*) and uses the table key only through DynamoDB', () => {
    const writer = catalog.find((f) => f.access.table === 'readwrite')!;
    const statements = statementsOf(template, writer.id);
    const tableStatement = statements.find((s) => asArray(s.Action).includes('dynamodb:GetItem'))!;
    expect(JSON.stringify(tableStatement.Resource)).toContain('/index/gsi1');
    expect(JSON.stringify(tableStatement.Resource)).not.toContain('*');
    const kms = statements.find((s) => asArray(s.Action).includes('kms:Decrypt'))!;
    expect(JSON.stringify(kms.Condition?.StringEquals?.['kms:ViaService'])).toContain('dynamodb.');
  });

  it('sets TABLE_NAME only where the catalog grants table access', () => {
    for (const spec of catalog) {
      const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: spec.description } })) as CfnResource[];
      expect('TABLE_NAME' in fn!.Properties!.Environment.Variables).toBe(Boolean(spec.access.table));
    }
  });

  it('has no "*" action anywhere, and "*" resources only for X-Ray, dynamodb:ListStreams, cloudwatch:GetMetricData (and the state machine\'s log delivery)', () => {
    // Step Functions' vended-logs actions have no resource-level permissions (test/infra/workflow.test.ts pins them).
    const logDelivery = (actions: string[]) => actions.every((a) => a.startsWith('logs:') && /LogDeliver|LogDelivery|LogGroups|ResourcePolic/.test(a));
    for (const { statement } of policyStatements(template)) {
      for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
      if (asArray(statement.Resource).includes('*') && !logDelivery(asArray(statement.Action))) {
        // Functions send traces; the state machine also reads its sampling rules.
        // ListStreams has no resource-level permissions (a stream consumer's event source needs it), nor
        // does GetMetricData (the status route's queue ages, in a policy of its own).
        expect([
          ['dynamodb:ListStreams'],
          ['cloudwatch:GetMetricData'],
          ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
          ['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        ]).toContainEqual(asArray(statement.Action).sort());
      }
    }
  });

  it('creates no function URL for the real catalog unless it declares a webhook', () => {
    template.resourceCountIs('AWS::Lambda::Url', catalog.filter((f) => f.trigger.kind === 'functionUrl').length);
  });
});

describe('functions generated from a catalog with every trigger kind', () => {
  let template: Template;
  beforeAll(() => {
    template = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }).platformTemplate();
  });

  it('puts a public function URL only on webhook receivers', () => {
    const receivers = FIXTURE_FUNCTIONS.filter((f) => f.trigger.kind === 'functionUrl');
    template.resourceCountIs('AWS::Lambda::Url', receivers.length);
    for (const receiver of receivers) {
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [functionId(receiver.id), 'Arn'] } });
    }
    const publicPermissions = template.findResources('AWS::Lambda::Permission', { Properties: { Principal: '*' } }) as Record<string, CfnResource>;
    for (const permission of Object.values(publicPermissions)) {
      const target = permission.Properties!.FunctionName['Fn::GetAtt'][0] as string;
      expect(receivers.some((r) => target.startsWith(`Functions${pascalCase(r.id)}Function`))).toBe(true);
    }
  });

  it('grants the token key only under the tenant encryption context, per operation', () => {
    const contextCondition = {
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...TOKEN_CONTEXT_KEYS] },
      StringLike: Object.fromEntries(TOKEN_CONTEXT_KEYS.map((k) => [`kms:EncryptionContext:${k}`, '*'])),
    };
    expect(TOKEN_CONTEXT_KEYS).toEqual(['partnerId', 'customerId', 'accountSid']);
    for (const spec of FIXTURE_FUNCTIONS.filter((f) => f.access.keys?.length)) {
      const tokenStatements = statementsOf(template, spec.id).filter((s) => s.Condition?.['ForAllValues:StringEquals']);
      expect(tokenStatements).toHaveLength(1);
      const expected = [...new Set(spec.access.keys!.map((op) => (op === 'encrypt' ? 'kms:GenerateDataKey' : 'kms:Decrypt')))].sort();
      expect(actionsOf(tokenStatements)).toEqual(expected);
      expect(tokenStatements[0]!.Condition).toEqual(contextCondition);
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Twilio messaging webhook receiver',
      Environment: { Variables: Match.objectLike({ KEY_SERVICE: 'kms', KMS_KEY_ID: Match.anyValue() }) },
    });
  });

  it('grants the Twilio master secret to twilioMaster functions only, decryptable only through Secrets Manager', () => {
    const holders = FIXTURE_FUNCTIONS.filter((f) => f.access.twilioMaster);
    const getSecret = policyStatements(template).filter(({ statement }) => asArray(statement.Action).includes('secretsmanager:GetSecretValue'));
    expect(getSecret).toHaveLength(holders.length);
    for (const holder of holders) {
      const decrypt = statementsOf(template, holder.id).find((s) => s.Condition?.StringEquals?.['kms:EncryptionContext:SecretARN']);
      expect(decrypt?.Action).toBe('kms:Decrypt');
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: holder.description,
        Environment: { Variables: Match.objectLike({ TWILIO_MASTER_SECRET_ARN: Match.anyValue() }) },
      });
    }
  });

  it('leaves a workflow seam: substitution name → task function ARN, and grants from access.workflow', () => {
    // Prepare: a fresh app, since the shared one is already synthesised.
    const { platform } = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES });
    const substitutions = platform.functions.taskArnSubstitutions();
    expect(Object.keys(substitutions)).toEqual(['FunctionArn_CreateSubaccount']);
    expect(platform.resolve(substitutions.FunctionArn_CreateSubaccount)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FunctionsCreateSubaccountFunction/), 'Arn'] });

    // Act: what the workflow construct will do once the state machine exists.
    const stateMachine = new sfn.StateMachine(platform, 'TestOnboarding', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(platform, 'Noop')),
    });
    for (const id of ['AwsSolutions-SF1', 'AwsSolutions-SF2']) {
      Validations.of(stateMachine).acknowledge({ id, reason: 'Test stand-in for the onboarding state machine; only its ARN is used.' });
    }
    platform.functions.bindWorkflow(stateMachine);
    const withWorkflow = Template.fromStack(platform);

    expect(actionsOf(statementsOf(withWorkflow, 'onboarding-start')).filter((a) => a.startsWith('states:'))).toEqual(['states:StartExecution']);
    expect(actionsOf(statementsOf(withWorkflow, 'status-consumer')).filter((a) => a.startsWith('states:'))).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    withWorkflow.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Starts onboarding for a customer',
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: { Ref: Match.stringLikeRegexp('^TestOnboarding') } }) },
    });
  });

  it('gives only Twilio-calling functions the ISV TrustHub settings from context, and warns without them', () => {
    const context = { twilioPrimaryProfileSid: `BU${'a'.repeat(32)}`, twilioNotificationEmail: 'a2p@isv.example.com' };
    const template = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }, context).platformTemplate();
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as CfnResource[];
    const callsTwilio = new Set(FIXTURE_FUNCTIONS.filter((f) => f.access.twilioMaster || f.access.keys?.length).map((f) => f.description));
    expect(callsTwilio.size).toBeGreaterThan(0);
    for (const fn of functions) {
      const vars = fn.Properties?.Environment?.Variables ?? {};
      if (!fn.Properties?.Description) continue;
      if (callsTwilio.has(fn.Properties.Description)) {
        expect(vars).toMatchObject({ TWILIO_PRIMARY_PROFILE_SID: context.twilioPrimaryProfileSid, TWILIO_NOTIFICATION_EMAIL: context.twilioNotificationEmail });
      } else {
        expect(vars).not.toHaveProperty('TWILIO_PRIMARY_PROFILE_SID');
      }
    }
    const without = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES });
    Annotations.fromStack(without.platform).hasWarning('/switchboard-dev-platform/Functions', Match.stringLikeRegexp('twilioPrimaryProfileSid'));
    expect(() => buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }, { twilioPrimaryProfileSid: 'nope' })).toThrow('twilioPrimaryProfileSid');
  });

  it('refuses a catalog with two authorizers', () => {
    const twice = [...FIXTURE_FUNCTIONS, { ...FIXTURE_FUNCTIONS.find((f) => f.trigger.kind === 'authorizer')!, id: 'second-authorizer' }];
    expect(() => buildApp({ functions: twice, queues: FIXTURE_QUEUES })).toThrow('more than one authorizer');
  });
});

describe('what each catalog function bundles of the Twilio SDK', () => {
  const REGISTRATION = ['accounts', 'events', 'messaging', 'numbers', 'trusthub'];
  /** The gateway areas each function's wiring names; every function not listed carries no Twilio SDK. */
  const AREAS: Record<string, string[]> = {
    ...Object.fromEntries(['subaccount-create', 'subaccount-suspend', 'subaccount-reactivate'].map((id) => [id, ['accounts']])),
    // A close deletes the WhatsApp senders and releases the numbers (detached from the messaging service, then deleted) before it closes the account.
    'subaccount-close': ['accounts', 'messaging', 'numbers', 'whatsapp'],
    ...Object.fromEntries(['messages-create', 'messages-cancel', 'consent-record'].map((id) => [id, ['messages']])),
    ...Object.fromEntries(['templates-create', 'templates-delete', 'templates-resubmit', 'schedules-template-refresh'].map((id) => [id, ['content']])),
    // The upload hands TrustHub bundles their documents; reads, download and delete call no Twilio.
    'documents-create': ['trusthub'],
    ...Object.fromEntries(['onboarding-preflight', 'onboarding-start', 'onboarding-get'].map((id) => [id, ['numbers']])),
    // The sender routes that call Twilio, and the refresh, carry the Senders and ChannelSenders resources only.
    ...Object.fromEntries(
      ['whatsapp-senders-create', 'whatsapp-senders-verify', 'whatsapp-senders-patch', 'whatsapp-senders-delete', 'schedules-whatsapp-senders'].map((id) => [id, ['whatsapp']]),
    ),
    // The sweep runs the steps' check (every registration area) and reads messages.
    'schedules-reconcile': ['accounts', 'events', 'messages', 'messaging', 'numbers', 'trusthub'],
    ...Object.fromEntries(
      ['brands-create', 'brands-list', 'brands-resubmit', 'campaigns-create', 'campaigns-list', 'numbers-create', 'numbers-delete', 'workflow-run-step', 'workflow-check-step'].map((id) => [
        id,
        REGISTRATION,
      ]),
    ),
  };
  let bundles: Map<string, TwilioInBundle>;
  beforeAll(async () => {
    bundles = new Map(await Promise.all(catalog.map(async (spec) => [spec.id, await twilioInBundle(spec)] as const)));
  }, 120_000);

  it('carries exactly the areas its wiring names', () => {
    for (const spec of catalog) {
      expect({ id: spec.id, areas: bundles.get(spec.id)!.areas }).toEqual({ id: spec.id, areas: AREAS[spec.id] ?? [] });
    }
    expect(Object.keys(AREAS).filter((id) => !bundles.has(id))).toEqual([]);
  });

  it('never carries the full client, a whole domain or a version class (each requires every resource below it)', () => {
    const whole = /^rest\/[A-Za-z]+\.js$|^rest\/[a-z]+\/V\d+\.js$|^index\.js$/;
    for (const [id, { sdkModules }] of bundles) expect({ id, whole: sdkModules.filter((m) => whole.test(m)) }).toEqual({ id, whole: [] });
    // Not vacuous: the shapes it rejects are the ones the full client brings.
    expect(['rest/Twilio.js', 'rest/Api.js', 'rest/api/V2010.js'].every((m) => whole.test(m))).toBe(true);
  });

  it('carries the account resource (it requires every API 2010 resource) only with the accounts area', () => {
    for (const [id, { areas, sdkModules }] of bundles) {
      expect({ id, account: sdkModules.includes('rest/api/v2010/account.js') }).toEqual({ id, account: areas.includes('accounts') });
    }
  });
});
