import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { config } from '../config';
import { BASE_URL_MAX_AGE_SECONDS, ExtensionParameterProvider, readBaseUrlParameter } from '../webhooks/base-url';
import { publicBaseOf } from './public-base';

/**
 * Where the portal links the API hands out open. Deployed, the portal and the link route are
 * served by one CloudFront distribution in front of the API (so the session cookie is first-party
 * to the portal), and the request that mints a link may have come to the API's own
 * execute-api domain, which serves no portal. The stack writes the distribution's URL to an SSM
 * parameter (a function's environment cannot name it: the distribution's origin is this API, a
 * dependency cycle) and the functions that mint links are told the parameter's name. Without one
 * (the local platform) the origin the request reached serves the portal too.
 */
export type PortalLinkBase = (event: APIGatewayProxyEvent) => Promise<string>;

const BASE_URL = /^https:\/\/[^/\s?#]+$/;

export interface PortalLinkBaseOptions {
  /** PORTAL_BASE_URL_PARAMETER. */
  readonly parameterName?: string;
  readonly parameters: Pick<BaseProvider, 'get'>;
  readonly maxAgeSeconds?: number;
}

/** A link's base for each request: the parameter's value (cached by Powertools) or, without a parameter, the request's origin. */
export function portalLinkBaseFrom({ parameterName, parameters, maxAgeSeconds = BASE_URL_MAX_AGE_SECONDS }: PortalLinkBaseOptions): PortalLinkBase {
  return async (event) => {
    if (!parameterName) return publicBaseOf(event);
    // A wrong value would hand out links that open nowhere: the request fails instead (500).
    return readBaseUrlParameter(parameters, parameterName, { what: 'portal base URL', pattern: BASE_URL, maxAgeSeconds });
  };
}

/** The link base of this process, from its configuration. */
export const portalLinkBase: PortalLinkBase = portalLinkBaseFrom({
  parameterName: config.PORTAL_BASE_URL_PARAMETER,
  parameters: new ExtensionParameterProvider({ port: config.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, sessionToken: config.AWS_SESSION_TOKEN }),
});
