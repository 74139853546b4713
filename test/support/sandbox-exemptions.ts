/**
 * Where the sandbox follows what Twilio really sends over what its OpenAPI specs say. Each entry
 * names the violation it forgives and why; a unit test proves each one is still needed.
 */
export interface SandboxExemption {
  readonly id: string;
  readonly why: string;
  /** Matches the validator's violation message. */
  readonly matches: RegExp;
}

export const SANDBOX_EXEMPTIONS: readonly SandboxExemption[] = [
  {
    id: 'available-number-capability-case',
    why:
      "Twilio's AvailablePhoneNumbers answers capabilities as {voice, SMS, MMS} (upper-case SMS and MMS, as its API reference examples show), while the spec's phone_number_capabilities names them in lower case; the gateway reads both spellings.",
    matches: /\(ListAvailablePhoneNumber\w+\) → 200: body\/available_phone_numbers\/\d+\/capabilities\/(SMS|MMS) is not declared by the spec$/,
  },
];

export function exemptionFor(violation: string): SandboxExemption | undefined {
  return SANDBOX_EXEMPTIONS.find((e) => e.matches.test(violation));
}
