import { manualClock } from '../../infra/local/clock';
import { apiClient, startTestPlatform } from '../support/local-platform';

/** The local API reuses an authorizer Allow per key for the configured TTL, as API Gateway does. */
it('keeps a revoked key working only until the authorizer cache expires', async () => {
  const clock = manualClock();
  const platform = await startTestPlatform('authorizer-cache', { clock, authorizerCacheSeconds: 60 });
  try {
    const { partnerId, keyId, apiKey } = await platform.admin.createPartnerWithKey('Cached');
    const api = apiClient(platform.url, apiKey);
    expect((await api.get('/v1/customers')).status).toBe(200);

    await platform.admin.revokeKey(partnerId, keyId);
    // Within the TTL the cached Allow stands (the deployed API behaves the same way)…
    clock.advance(59_000);
    expect((await api.get('/v1/customers')).status).toBe(200);
    // …and once it expires the authorizer is asked again and refuses.
    clock.advance(2_000);
    expect((await api.get('/v1/customers')).status).toBe(401);
    // Refusals are not cached: a wrong key never rides on a cached entry.
    expect((await apiClient(platform.url, apiKey.slice(0, -1) + 'x').get('/v1/customers')).status).toBe(401);
  } finally {
    await platform.stop();
  }
});
