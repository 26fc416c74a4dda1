import twilio from 'twilio';

export type TwilioClient = ReturnType<typeof twilio>;

/** The real `twilio` REST client; `apiBaseUrl` sends its requests elsewhere (a regional edge, or the tests' loopback stand-in). */
export function twilioClient(accountSid: string, authToken: string, apiBaseUrl?: string): TwilioClient {
  const RequestClient = twilio.RequestClient;
  let httpClient: InstanceType<typeof RequestClient> | undefined;
  if (apiBaseUrl) {
    const base = apiBaseUrl.replace(/\/+$/, '');
    class Redirected extends RequestClient {
      override request<T>(opts: Parameters<InstanceType<typeof RequestClient>['request']>[0]) {
        return super.request<T>({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]+/, base) } as never);
      }
    }
    httpClient = new Redirected();
  }
  return twilio(accountSid, authToken, { httpClient });
}
