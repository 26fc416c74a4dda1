import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRow } from '../../server/cases/service.ts';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';

const OWNER = '+8613800138000';
const STRANGER = '+8613911112222';
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Message' });
let sid = 0;

describe('a caller checks a case by phone and by SMS (number from their own phone, or with the case PIN)', () => {
  let t: TestHotline;
  let c: CaseRow;
  const steps: Array<{ channel: string; digits?: string; speech?: string; event?: string }> = [];
  beforeAll(async () => {
    t = await startHotline();
    t.hotline.events.on((e) => {
      if (e.type === 'call.step') steps.push({ channel: e.channel, digits: e.input?.digits, speech: e.input?.speech, event: e.input?.event });
    });
    c = await t.hotline.cases.create({ type: '投诉', category: '市场监管/价格', urgency: 'normal', callerPhone: OWNER, description: '超市多收钱', channel: 'voice', by: 'agent-li' });
    c = await t.hotline.cases.act(c.id, { type: 'DISPATCH', department: 'MARKET', by: 'agent-li' });
  });
  afterAll(async () => t.close());

  const spelled = () => c.id.split('').join(' ');
  const sms = async (from: string, body: string) => {
    const res = await t.phone().post('/twilio/sms', { MessageSid: `SM${String(++sid).padStart(32, '0')}`, AccountSid: t.config.accountSid, From: from, To: '+8612345', Body: body });
    expect(res.status).toBe(200);
    const messages = (parser.parse(res.body) as { Response: { Message?: string[] } }).Response.Message ?? [];
    return messages.join('\n');
  };

  it('by voice: the caller’s own number hears the status at once; another number must key the PIN', async () => {
    const own = t.phone({ from: OWNER });
    await own.dial();
    await own.press('2');
    const heard = (await own.press(c.id)).heard.join(' ');
    expect(heard).toContain(`工单 ${spelled()} 已派至示例市市场监督管理局`);

    const other = t.phone({ from: STRANGER });
    await other.dial();
    await other.press('2');
    expect((await other.press(c.id)).heard.join(' ')).toContain('请输入受理短信中的4位查询密码');
    const wrong = c.pin === '0000' ? '1111' : '0000';
    const refused = await other.press(wrong);
    expect(refused.heard.join(' ')).toContain('仍未能查到您的工单');
    expect(refused.heard.join(' ')).not.toContain('已派至');

    const withPin = t.phone({ from: STRANGER });
    await withPin.dial();
    await withPin.press('2');
    await withPin.press(c.id);
    expect((await withPin.press(c.pin!)).heard.join(' ')).toContain(`工单 ${spelled()} 已派至示例市市场监督管理局`);
  });

  it('by SMS: "查询 <number>" from the own phone, "status <number>" in English, the PIN from another phone', async () => {
    expect(await sms(OWNER, `查询 ${c.id}`)).toBe(`工单 ${spelled()} 已派至示例市市场监督管理局。`);
    expect(await sms('+8613800000003', `status ${c.id}`)).toContain('This case was filed from another number');
    expect(await sms(STRANGER, `查询 ${c.id}`)).toContain('请回复受理短信中的4位查询密码');
    expect(await sms(STRANGER, c.pin!)).toBe(`工单 ${spelled()} 已派至示例市市场监督管理局。`);
    // A number whose check digit fails is caught before any look-up.
    const typo = `${c.id.slice(0, -1)}${(Number(c.id.at(-1)) + 1) % 10}`;
    expect(await sms('+8613800000004', `查询 ${typo}`)).toContain('您发送的编号有误');
  });

  it('stops answering a case whose PIN is guessed again and again, from any number', async () => {
    const d = await t.hotline.cases.create({ type: '求助', category: '城市管理/路灯', urgency: 'normal', callerPhone: OWNER, description: '路灯不亮', channel: 'voice', by: 'agent-li' });
    const wrong = d.pin === '0000' ? '1111' : '0000';
    for (let i = 0; i < 5; i++) {
      const guesser = `+86139222200${String(i).padStart(2, '0')}`;
      expect(await sms(guesser, `查询 ${d.id}`)).toContain('请回复受理短信中的4位查询密码');
      expect(await sms(guesser, wrong)).toContain('未能查到该工单');
    }
    // The right PIN now gets the same answer as a wrong one; the caller's own phone still works.
    expect(await sms('+8613922220099', `查询 ${d.id}`)).toContain('请回复受理短信中的4位查询密码');
    expect(await sms('+8613922220099', d.pin!)).toContain('未能查到该工单');
    expect(await sms(OWNER, `查询 ${d.id}`)).toContain('已受理');
  });

  it('says when a reply is due once the department has accepted the case', async () => {
    c = await t.hotline.cases.act(c.id, { type: 'ACCEPT', by: 'market-zhao' });
    const text = await sms(OWNER, `查询 ${c.id}`);
    expect(text).toMatch(new RegExp(`^工单 ${spelled()} 示例市市场监督管理局已签收，预计\\d{1,2}月\\d{1,2}日前答复。$`));
  });

  it('never shows agents a PIN: the answer to a private state reaches the panels without its digits', () => {
    const pins = [c.pin!, '0000', '1111'];
    const leaked = steps.filter((st) => pins.some((p) => st.digits === p || st.speech?.includes(p)));
    expect(leaked).toEqual([]);
    // The case numbers typed in the same calls and texts are shown, so the filter is not just dropping everything.
    expect(steps.some((st) => st.channel === 'voice' && st.digits === c.id)).toBe(true);
    expect(steps.filter((st) => st.event && !st.digits && !st.speech).length).toBeGreaterThanOrEqual(3);
  });
});
