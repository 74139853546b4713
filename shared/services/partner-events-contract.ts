/**
 * Partner events: one ordered log per partner (cursor-readable with `GET /v1/events?after=`),
 * appended on every status change that a partner cares about. Types in use:
 * `onboarding.step.updated`, `brand.updated`, `campaign.updated`, `number.updated`,
 * `subaccount.updated`, `message.received`, `message.status.updated`, `contact.opted_out`.
 */
export interface PartnerEventInput {
  type: string;
  /** The customer the event is about, when there is one. */
  customerId?: string;
  data: Record<string, unknown>;
}

export interface PartnerEvent extends PartnerEventInput {
  /** Position in the partner's log, strictly increasing in commit order; also the cursor. */
  id: string;
  occurredAt: string;
}

export interface PartnerEventLog {
  append(partnerId: string, event: PartnerEventInput): Promise<PartnerEvent>;
}
