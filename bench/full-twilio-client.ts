/**
 * The reference for bench/bundles.ts: injected into a Twilio-using function's bundle, it adds the
 * SDK's full client (every Twilio API), which is what the gateway was built on before its areas
 * imported only the resource modules they call. One run then prints before and after.
 */
import 'twilio/lib/rest/Twilio';
