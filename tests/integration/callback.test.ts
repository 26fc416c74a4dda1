import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRow } from '../../server/cases/service.ts';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';
import { startTwilioApi } from '../helpers/twilio-api.ts';
import { until } from '../helpers/wait.ts';

const CALLER = '+8613800138000';
const VOICE_FROM = '+861012345';

describe('the callback (回访): an outbound call asks the caller to rate the reply', () => {
  let api: Awaited<ReturnType<typeof startTwilioApi>>;
  let t: TestHotline;
  beforeAll(async () => {
    api = await startTwilioApi();
    t = await startHotline({ TWILIO_API_URL: api.url, TWILIO_VOICE_FROM: VOICE_FROM, HOTLINE_CALLBACK_AFTER_MINUTES: '0', HOTLINE_OUTBOX_SECONDS: '0.2' });
  });
  afterAll(async () => {
    await t.close();
    await api.close();
  });

  const calls = (id: string) => api.requests.filter((r) => r.path.endsWith('/Calls.json') && r.form.Url?.endsWith(`case=${id}`));
  const replied = async (c: CaseRow, note: string) => t.hotline.cases.act(c.id, { type: 'REPLY', note, by: 'market-zhao' });

  it('calls once the department replied; 不满意 reopens the case, 满意 on the next reply closes it; a rating is taken once', async () => {
    let c = await t.hotline.cases.create({ type: '投诉', category: '市场监管/价格', urgency: 'normal', callerPhone: CALLER, description: '超市多收钱', channel: 'voice', by: 'agent-li' });
    for (const type of ['DISPATCH', 'ACCEPT'] as const) c = await t.hotline.cases.act(c.id, type === 'DISPATCH' ? { type, department: 'MARKET', by: 'agent-li' } : { type, by: 'market-zhao' });
    await replied(c, '已责令退款');
    await until('the callback call', () => calls(c.id).length === 1);
    const placed = calls(c.id)[0]!;
    expect(placed.form).toMatchObject({ To: CALLER, From: VOICE_FROM, Url: `${t.url}/twilio/voice?flow=callback&case=${c.id}`, StatusCallback: `${t.url}/twilio/outbox/call-status` });

    // The caller answers: Twilio fetches the URL; the caller presses 3 (不满意).
    const first = t.phone({ from: VOICE_FROM, to: CALLER });
    expect((await first.pickUp(placed.form.Url!)).heard.join(' ')).toContain(`您反映的工单 ${c.id} 承办单位已经答复。请您对办理结果进行评价`);
    const unhappy = await first.press('3');
    expect(unhappy.heard.join(' ')).toContain('您的工单已重新交办');
    expect(unhappy.hungUp).toBe(true);
    c = (await t.hotline.cases.get(c.id))!;
    expect(c.state).toBe('in_progress');
    const events = await t.hotline.cases.history(c.id);
    expect(events.slice(-2)).toEqual([
      expect.objectContaining({ type: 'CALLBACK', satisfied: false, rating: 'dissatisfied', by: 'callback-call' }),
      expect.objectContaining({ type: 'REOPEN', reason: '回访不满意' }),
    ]);

    // The department replies again; the next callback is rated 满意 and the case closes.
    await replied(c, '已退款并道歉');
    await until('the second callback call', () => calls(c.id).length === 2);
    const second = t.phone({ from: VOICE_FROM, to: CALLER });
    await second.pickUp(calls(c.id)[1]!.form.Url!);
    expect((await second.press('1')).heard.join(' ')).toContain('感谢您的评价');
    expect((await t.hotline.cases.get(c.id))!.state).toBe('closed');

    // The first call's URL once more (a late retry, a second call): the reply is rated already.
    const again = t.phone({ from: VOICE_FROM, to: CALLER });
    await again.pickUp(placed.form.Url!);
    expect((await again.press('2')).heard.join(' ')).toContain('这次答复已经评价过了');
    expect((await t.hotline.cases.history(c.id)).filter((e) => e.type === 'CALLBACK')).toHaveLength(2);
    // Twilio reports how each call ended: the first was answered, the second not.
    let voice = (await t.hotline.outbox.forCase(c.id)).filter((m) => m.channel === 'voice');
    expect(voice.map((m) => `${m.kind}:${m.status}:${m.provider_id?.slice(0, 2)}`)).toEqual(['case.callback:sent:CA', 'case.callback:sent:CA']);
    const report = (sid: string, status: string) => t.phone().post('/twilio/outbox/call-status', { CallSid: sid, AccountSid: t.config.accountSid, CallStatus: status, CallDuration: '20', Direction: 'outbound-api' });
    expect((await report(voice[0]!.provider_id!, 'completed')).status).toBe(200);
    expect((await report(voice[1]!.provider_id!, 'no-answer')).status).toBe(200);
    voice = (await t.hotline.outbox.forCase(c.id)).filter((m) => m.channel === 'voice');
    expect(voice.map((m) => `${m.status}:${m.last_error ?? ''}`)).toEqual(['delivered:', 'failed:call no-answer']);
  });

  it('takes the rating by SMS too ("评价 <number> 3"), only from the caller’s own phone and once', async () => {
    let c = await t.hotline.cases.create({ type: '投诉', category: '市场监管/价格', urgency: 'normal', callerPhone: '+8613800138001', description: '外卖少送一份', channel: 'sms', by: 'agent-li' });
    for (const type of ['DISPATCH', 'ACCEPT'] as const) c = await t.hotline.cases.act(c.id, type === 'DISPATCH' ? { type, department: 'MARKET', by: 'agent-li' } : { type, by: 'market-zhao' });
    await replied(c, '已督促商家补送');
    const parser = new XMLParser({ parseTagValue: false, isArray: (n) => n === 'Message' });
    let n = 0;
    const text = async (from: string, body: string) => {
      const res = await t.phone().post('/twilio/sms', { MessageSid: `SM${String(++n).padStart(32, '7')}`, AccountSid: t.config.accountSid, From: from, To: '+8612345', Body: body });
      return ((parser.parse(res.body) as { Response: { Message?: string[] } }).Response.Message ?? []).join('');
    };
    expect(await text('+8613900009999', `评价 ${c.id} 1`)).toContain('这个工单目前不能评价');
    expect((await t.hotline.cases.get(c.id))!.state).toBe('replied');
    expect(await text('+8613800138001', `评价 ${c.id} 3`)).toContain('感谢您的评价');
    expect((await t.hotline.cases.get(c.id))!.state).toBe('in_progress');
    expect((await t.hotline.cases.history(c.id)).filter((e) => e.type === 'CALLBACK')).toEqual([expect.objectContaining({ rating: 'dissatisfied', by: 'callback-sms' })]);
    // Rated already: a second text changes nothing, and the callback call placed meanwhile hears so too.
    expect(await text('+8613800138001', `评价 ${c.id} 1`)).toContain('这个工单目前不能评价');
    await until('the callback call', () => calls(c.id).length === 1);
    const late = t.phone({ from: VOICE_FROM, to: '+8613800138001' });
    await late.pickUp(calls(c.id)[0]!.form.Url!);
    expect((await late.press('1')).heard.join(' ')).toContain('这次答复已经评价过了');
    expect((await t.hotline.cases.history(c.id)).filter((e) => e.type === 'CALLBACK')).toHaveLength(1);
  });
});
