import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
  NotFoundException,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { apiGatewayUsagePlan } from '../../../infra/cli/usage-plan';
import { PARTNER_ID, activePartner } from './fakes';

const gateway = mockClient(APIGatewayClient);
const USAGE_PLAN_ID = 'up9z8y7';
const API_KEY_ID = 'ak1b2c3d4';

describe('apiGatewayUsagePlan', () => {
  const port = apiGatewayUsagePlan(new APIGatewayClient({ region: 'eu-west-1' }), USAGE_PLAN_ID);

  beforeEach(() => {
    gateway.reset();
  });

  describe('admit', () => {
    it('creates an enabled key whose value is the partner id and adds it to the usage plan', async () => {
      // Prepare
      gateway.on(GetApiKeysCommand).resolves({ items: [] });
      gateway.on(CreateApiKeyCommand).resolves({ id: API_KEY_ID });
      gateway.on(CreateUsagePlanKeyCommand).resolves({ id: API_KEY_ID });

      // Act
      const result = await port.admit(activePartner({ name: 'Acme' }));

      // Assess
      expect(result).toEqual({ apiKeyId: API_KEY_ID, usagePlanId: USAGE_PLAN_ID, enabled: true });
      expect(gateway).toHaveReceivedCommandWith(GetApiKeysCommand, { nameQuery: PARTNER_ID, includeValues: false });
      expect(gateway).toHaveReceivedCommandTimes(CreateApiKeyCommand, 1);
      expect(gateway.commandCalls(CreateApiKeyCommand)[0].args[0].input).toEqual({
        name: PARTNER_ID,
        value: PARTNER_ID,
        enabled: true,
        description: 'Switchboard partner Acme',
      });
      expect(gateway.commandCalls(CreateUsagePlanKeyCommand)[0].args[0].input).toEqual({
        usagePlanId: USAGE_PLAN_ID,
        keyId: API_KEY_ID,
        keyType: 'API_KEY',
      });
      expect(gateway).not.toHaveReceivedCommand(UpdateApiKeyCommand);
    });

    it('re-enables an existing disabled key instead of creating a second one', async () => {
      gateway.on(GetApiKeysCommand).resolves({
        items: [
          { id: 'akother', name: `${PARTNER_ID}-old`, enabled: true },
          { id: API_KEY_ID, name: PARTNER_ID, enabled: false },
        ],
      });
      gateway.on(UpdateApiKeyCommand).resolves({});
      gateway.on(CreateUsagePlanKeyCommand).resolves({});

      const result = await port.admit(activePartner());

      expect(result).toEqual({ apiKeyId: API_KEY_ID, usagePlanId: USAGE_PLAN_ID, enabled: true });
      expect(gateway).not.toHaveReceivedCommand(CreateApiKeyCommand);
      expect(gateway).toHaveReceivedCommandWith(UpdateApiKeyCommand, {
        apiKey: API_KEY_ID,
        patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }],
      });
      expect(gateway).toHaveReceivedCommandWith(CreateUsagePlanKeyCommand, { usagePlanId: USAGE_PLAN_ID, keyId: API_KEY_ID, keyType: 'API_KEY' });
    });

    it('follows the key listing across pages', async () => {
      gateway
        .on(GetApiKeysCommand)
        .resolvesOnce({ items: [{ id: 'akx', name: `${PARTNER_ID}x` }], position: 'p2' })
        .resolvesOnce({ items: [{ id: API_KEY_ID, name: PARTNER_ID, enabled: true }] });
      gateway.on(CreateUsagePlanKeyCommand).resolves({});

      await port.admit(activePartner());

      expect(gateway.commandCalls(GetApiKeysCommand).map((call) => call.args[0].input.position)).toEqual([undefined, 'p2']);
      expect(gateway).not.toHaveReceivedCommand(CreateApiKeyCommand);
      expect(gateway).not.toHaveReceivedCommand(UpdateApiKeyCommand);
    });

    it('treats a key already in the plan as done', async () => {
      gateway.on(GetApiKeysCommand).resolves({ items: [{ id: API_KEY_ID, name: PARTNER_ID, enabled: true }] });
      gateway.on(CreateUsagePlanKeyCommand).rejects(new ConflictException({ message: 'Usage Plan Key already exists', $metadata: {} }));

      await expect(port.admit(activePartner())).resolves.toEqual({ apiKeyId: API_KEY_ID, usagePlanId: USAGE_PLAN_ID, enabled: true });
    });

    it('passes other failures on', async () => {
      gateway.on(GetApiKeysCommand).resolves({ items: [] });
      gateway.on(CreateApiKeyCommand).resolves({ id: API_KEY_ID });
      gateway.on(CreateUsagePlanKeyCommand).rejects(new NotFoundException({ message: 'Invalid Usage Plan ID specified', $metadata: {} }));

      await expect(port.admit(activePartner())).rejects.toThrow('Invalid Usage Plan ID specified');
    });
  });

  describe('suspend', () => {
    it('disables the partner key', async () => {
      gateway.on(GetApiKeysCommand).resolves({ items: [{ id: API_KEY_ID, name: PARTNER_ID, enabled: true }] });
      gateway.on(UpdateApiKeyCommand).resolves({});

      const result = await port.suspend(PARTNER_ID);

      expect(result).toEqual({ apiKeyId: API_KEY_ID, usagePlanId: USAGE_PLAN_ID, enabled: false });
      expect(gateway).toHaveReceivedCommandTimes(UpdateApiKeyCommand, 1);
      expect(gateway).toHaveReceivedCommandWith(UpdateApiKeyCommand, {
        apiKey: API_KEY_ID,
        patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
      });
    });

    it('leaves an already disabled key alone', async () => {
      gateway.on(GetApiKeysCommand).resolves({ items: [{ id: API_KEY_ID, name: PARTNER_ID, enabled: false }] });

      await expect(port.suspend(PARTNER_ID)).resolves.toEqual({ apiKeyId: API_KEY_ID, usagePlanId: USAGE_PLAN_ID, enabled: false });
      expect(gateway).not.toHaveReceivedCommand(UpdateApiKeyCommand);
    });

    it('answers undefined when the partner has no key', async () => {
      gateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'akx', name: `${PARTNER_ID}x`, enabled: true }] });

      await expect(port.suspend(PARTNER_ID)).resolves.toBeUndefined();
      expect(gateway).not.toHaveReceivedCommand(UpdateApiKeyCommand);
    });
  });
});
