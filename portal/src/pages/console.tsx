import { appLink } from '../router';
import { Heading } from '../ui';
import { CustomerDetail, Customers } from './customers';
import { StatusPage } from './status';
import { WebhookDetail, Webhooks } from './webhooks';

/** The partner console's routes: its customers (home), webhook endpoints and status. */
export function PartnerPages({ path }: { path: string }) {
  const customer = /^\/customers\/([^/]+)$/.exec(path);
  if (customer) return <CustomerDetail customerId={decodeURIComponent(customer[1]!)} />;
  const endpoint = /^\/webhooks\/([^/]+)$/.exec(path);
  if (endpoint) return <WebhookDetail endpointId={decodeURIComponent(endpoint[1]!)} />;
  if (path === '/webhooks') return <Webhooks />;
  if (path === '/status') return <StatusPage />;
  if (path === '/') return <Customers />;
  return (
    <section>
      <Heading>Page not found</Heading>
      <p>
        <a {...appLink('/')}>Go to your customers</a>
      </p>
    </section>
  );
}
