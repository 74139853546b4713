import { pageOf, rfc2822, v2010Page } from '../core/format';
import { bool, filtersOf, required, str } from '../core/params';
import { created, ok, route, type Route } from '../core/context';
import type { AddressRecord } from '../core/state';
import { API_HOST, accountUri, owned, pathAccount } from './api-scope';

const renderAddress = (a: AddressRecord): Record<string, unknown> => ({
  account_sid: a.accountSid,
  city: a.city,
  customer_name: a.customerName,
  date_created: rfc2822(a.createdAt),
  date_updated: rfc2822(a.updatedAt),
  friendly_name: a.friendlyName,
  iso_country: a.isoCountry,
  postal_code: a.postalCode,
  region: a.region,
  sid: a.sid,
  street: a.street,
  street_secondary: a.streetSecondary,
  uri: `${accountUri(a.accountSid)}/Addresses/${a.sid}.json`,
  emergency_enabled: a.emergencyEnabled,
  validated: true,
  verified: true,
});

export const addressRoutes: Route[] = [
  route('POST', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Addresses.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    const now = ctx.clock.now();
    const address: AddressRecord = {
      sid: ctx.sids.next('AD'),
      accountSid: account.sid,
      customerName: required(req.params, 'CustomerName'),
      street: required(req.params, 'Street'),
      city: required(req.params, 'City'),
      region: required(req.params, 'Region'),
      postalCode: required(req.params, 'PostalCode'),
      isoCountry: required(req.params, 'IsoCountry'),
      streetSecondary: str(req.params, 'StreetSecondary') ?? null,
      friendlyName: str(req.params, 'FriendlyName') ?? '',
      emergencyEnabled: bool(req.params, 'EmergencyEnabled') ?? false,
      createdAt: now,
      updatedAt: now,
    };
    ctx.state.addresses.set(address.sid, address);
    return created(renderAddress(address));
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Addresses.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    const customerName = str(req.params, 'CustomerName');
    const isoCountry = str(req.params, 'IsoCountry');
    const items = ctx.state
      .ownedBy(ctx.state.addresses, account.sid)
      .filter((a) => (!customerName || a.customerName === customerName) && (!isoCountry || a.isoCountry === isoCountry))
      .map(renderAddress);
    return ok(v2010Page('addresses', `${accountUri(account.sid)}/Addresses.json`, items, pageOf(req.params), filtersOf(req.params, ['CustomerName', 'IsoCountry'])));
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Addresses/{Sid}.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    return ok(renderAddress(owned(ctx.state.addresses, req.pathParams.Sid, account, req.path)));
  }),
];
