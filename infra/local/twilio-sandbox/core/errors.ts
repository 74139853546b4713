/** Twilio's error body: `{code, message, more_info, status}`. Handlers throw; the server renders. */
export class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  toBody(): { code: number; message: string; more_info: string; status: number } {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

export const notFound = (path: string): TwilioError =>
  new TwilioError(404, 20404, `The requested resource ${path} was not found`);

export const missingParameter = (name: string): TwilioError =>
  new TwilioError(400, 20001, `Missing required parameter ${name} in the post body`);

export const invalidParameter = (name: string, detail: string): TwilioError =>
  new TwilioError(400, 20001, `Invalid parameter ${name}: ${detail}`);

export const unauthenticated = (): TwilioError => new TwilioError(401, 20003, 'Authenticate');
