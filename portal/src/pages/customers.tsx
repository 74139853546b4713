import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { appLink } from '../router';
import { ErrorNote, Heading, Loading, Pager, when } from '../ui';
import { Onboarding, STEP_NAMES } from './account';

/** Where a customer's onboarding stands, as the list says it (`include=onboarding`); null: never onboarded. */
type OnboardingSummary = { status: string; step?: string; stepStatus?: string; failedStep?: string; updatedAt: string } | null;

// A type, not an interface, so that the fix form can take it as a plain record of fields.
type Customer = {
  id: string;
  displayName: string;
  legalName: string;
  status: string;
  createdAt: string;
};

type Page = { data: Array<Customer & { onboarding?: OnboardingSummary }>; nextCursor: string | null };

const PAGE_SIZE = 25;
const stepName = (step: string | undefined) => (step ? (STEP_NAMES[step] ?? step) : '—');

/** The partner's home: every customer, newest first, a page at a time, with where its onboarding stands (one read a page). */
export function Customers() {
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Page | { error: string } | undefined>();

  useEffect(() => {
    let stopped = false;
    setPage(undefined);
    const q = new URLSearchParams({ limit: String(PAGE_SIZE), include: 'onboarding' });
    if (cursors.at(-1)) q.set('cursor', cursors.at(-1)!);
    api<Page>('GET', `/v1/customers?${q}`).then(
      (next) => !stopped && setPage(next),
      (error: unknown) => !stopped && setPage({ error: error instanceof ApiError ? error.message : 'The customers could not be loaded.' }),
    );
    return () => {
      stopped = true;
    };
  }, [cursors]);

  return (
    <>
      <Heading>Customers</Heading>
      {!page && <Loading what="customers" />}
      {page && 'error' in page && <ErrorNote>{page.error}</ErrorNote>}
      {page && 'data' in page && page.data.length === 0 && <p>No customers yet: create them with POST /v1/customers.</p>}
      {page && 'data' in page && page.data.length > 0 && (
        <table>
          <caption class="visually-hidden">Customers, newest first, with their onboarding</caption>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Status</th>
              <th scope="col">Onboarding</th>
              <th scope="col">Current step</th>
              <th scope="col">Failed step</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((c) => {
              const o = c.onboarding;
              return (
                <tr key={c.id}>
                  <td>
                    <a {...appLink(`/customers/${encodeURIComponent(c.id)}`)}>{c.displayName}</a> <span class="detail">{c.legalName}</span>
                  </td>
                  <td>{c.status}</td>
                  <td class={o ? `step ${o.status}` : undefined}>{o ? <span class="state">{o.status}</span> : 'not started'}</td>
                  <td>{o?.status === 'running' ? stepName(o.step) : '—'}</td>
                  <td>{o?.status === 'failed' ? stepName(o.failedStep) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} setCursors={setCursors} next={page && 'data' in page ? page.nextCursor : undefined} />
    </>
  );
}

/** One customer as its partner sees it: its details and every onboarding step. */
export function CustomerDetail({ customerId }: { customerId: string }) {
  const [customer, setCustomer] = useState<Customer | { error: string } | undefined>();
  // Bumped when the partner resubmits a failed onboarding: the customer and its steps are read again.
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api<Customer>('GET', `/v1/customers/${encodeURIComponent(customerId)}`).then(setCustomer, (error: unknown) =>
      setCustomer({ error: error instanceof ApiError && error.problem.status === 404 ? 'No such customer.' : 'The customer could not be loaded.' }),
    );
  }, [customerId, version]);
  const found = customer && 'id' in customer ? customer : undefined;
  return (
    <>
      <Heading>{found?.displayName ?? 'Customer'}</Heading>
      <p>
        <a {...appLink('/')}>Back to customers</a>
      </p>
      {!customer && <Loading what="the customer" />}
      {customer && 'error' in customer && <ErrorNote>{customer.error}</ErrorNote>}
      {found && (
        <>
          <dl>
            <dt>Business</dt>
            <dd>{found.legalName}</dd>
            <dt>Status</dt>
            <dd>{found.status}</dd>
            <dt>Customer id</dt>
            <dd>{found.id}</dd>
            <dt>Created</dt>
            <dd>{when(found.createdAt)}</dd>
          </dl>
          <Onboarding customerId={found.id} customer={found} version={version} resumed={() => setVersion(version + 1)} />
        </>
      )}
    </>
  );
}
