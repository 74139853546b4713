import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { LambdaInvocationError, type LambdaRuntime } from '../lambda-runtime';

export type AuthorizerDecision =
  | { outcome: 'allow'; principalId: string; usageIdentifierKey: string | undefined; context: Record<string, string> }
  | { outcome: 'unauthorized' }
  | { outcome: 'denied' }
  | { outcome: 'failed' };

/**
 * Runs the REQUEST authorizer and reads its answer the way API Gateway does: a thrown
 * `Unauthorized` is a 401, a policy that does not allow this method ARN is a 403, anything
 * malformed is an authorizer failure (500). Context values reach the integration as strings.
 * Results are not cached locally, so a revoked key stops working on the next request.
 */
export async function authorize(runtime: LambdaRuntime, functionId: string, event: APIGatewayRequestAuthorizerEvent): Promise<AuthorizerDecision> {
  let result: unknown;
  try {
    result = await runtime.invoke(functionId, event);
  } catch (error) {
    const cause = error instanceof LambdaInvocationError ? error.cause : error;
    return (cause as Error)?.message === 'Unauthorized' ? { outcome: 'unauthorized' } : { outcome: 'failed' };
  }
  const answer = result as Partial<APIGatewayAuthorizerResult> | undefined;
  if (!answer || typeof answer.principalId !== 'string' || !answer.policyDocument) return { outcome: 'failed' };
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(answer.context ?? {})) {
    if (value !== null && typeof value === 'object') return { outcome: 'failed' };
    if (value !== undefined && value !== null) context[key] = String(value);
  }
  if (!policyAllows(answer.policyDocument, event.methodArn)) return { outcome: 'denied' };
  return {
    outcome: 'allow',
    principalId: answer.principalId,
    usageIdentifierKey: typeof answer.usageIdentifierKey === 'string' ? answer.usageIdentifierKey : undefined,
    context,
  };
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

/** IAM evaluation for `execute-api:Invoke`: an explicit Deny wins, otherwise some Allow must match. */
export function policyAllows(policy: { Statement?: unknown }, arn: string): boolean {
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]).filter(Boolean) as Statement[];
  const applies = (s: Statement) =>
    list(s.Action).some((a) => glob(a, 'execute-api:Invoke')) && list(s.Resource).some((r) => glob(r, arn));
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && applies(s));
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function glob(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(value);
}
