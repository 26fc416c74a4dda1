import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseChange, CaseRow } from '../../server/cases/service.ts';
import type { CaseEvent } from '../../server/cases/lifecycle.ts';
import type { Department } from '../../server/departments/service.ts';
import { backoff } from '../../server/notifications/dispatcher.ts';
import { chinaTime, messagesFor } from '../../server/notifications/policy.ts';
import { fill, Templates, TemplateError } from '../../server/notifications/templates.ts';
import { REPO } from '../helpers/hotline.ts';

const templates = Templates.load(path.join(REPO, 'notifications'));

const row = (over: Partial<CaseRow> = {}): CaseRow => ({
  id: '2611230000017',
  type: '投诉',
  category: '市场监管/价格',
  urgency: 'normal',
  caller_phone: '+8613800138000',
  caller_name: '张先生',
  district: '东城区',
  address: '人民路1号',
  description: '超市结账价格比标价高',
  channel: 'voice',
  call_sid: null,
  article_id: null,
  department: 'MARKET',
  state: 'dispatched',
  snapshot: '{}',
  version: 2,
  due_step: 'accept',
  due_at: '2026-11-24T09:30:00.000Z',
  warn_at: '2026-11-24T05:00:00.000Z',
  next_check_at: null,
  lang: 'zh-CN',
  lat: null,
  lng: null,
  pin: '0427',
  created_at: '2026-11-23T01:00:00.000Z',
  updated_at: '2026-11-23T02:00:00.000Z',
  ...over,
});
const market = (over: Partial<Department> = {}): Department => ({ code: 'MARKET', name: '示例市市场监督管理局', active: true, email: 'desk@market.example.gov.cn', fax: '+862087654321', notifyBy: 'email', phone: null, updatedAt: '', updatedBy: '', ...over });
const moved = (c: CaseRow, event: Partial<CaseEvent> & { type: CaseEvent['type'] }): CaseChange => ({ kind: 'moved', case: c, event: { by: 'agent-li', at: c.updated_at, ...event } as CaseEvent, from: 'received', to: c.state as never, fromDepartment: null });

describe('message templates (notifications/)', () => {
  it('fills values and drops the trailing blanks of an empty one', () => {
    expect(fill('工单{case}：{address}\n下一行', { case: '123' })).toBe('工单123：\n下一行');
  });

  it('refuses a value the kind does not know, and a missing language, with file and line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-templates-'));
    try {
      cpSync(path.join(REPO, 'notifications'), dir, { recursive: true });
      writeFileSync(path.join(dir, 'case.replied.yaml'), 'sms:\n  zh-CN: 工单{case}已答复\n  en-US: "Case {case}: {secret}"\n');
      expect(() => Templates.load(dir)).toThrow(TemplateError);
      expect(() => Templates.load(dir)).toThrow(/case\.replied\.yaml:3: sms\.en-US: \{secret\} is not a value of case\.replied/);
      writeFileSync(path.join(dir, 'case.replied.yaml'), 'sms:\n  zh-CN: 工单{case}已答复\n');
      expect(() => Templates.load(dir)).toThrow(/case\.replied\.yaml:\d+: sms\.en-US/);
      rmSync(path.join(dir, 'case.replied.yaml'));
      expect(() => Templates.load(dir)).toThrow(/no template for case\.replied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what a change to a case sends (messagesFor)', () => {
  const ctx = (department?: Department) => ({ templates, department, supervisors: ['sup@example.gov.cn', 'leader@example.gov.cn'] });

  it('texts the case number to the caller when the case is opened, in the caller’s language', () => {
    const zh = messagesFor({ kind: 'created', case: row({ state: 'received', department: null }) }, ctx());
    expect(zh).toEqual([expect.objectContaining({ kind: 'case.created', channel: 'sms', to: '+8613800138000', lang: 'zh-CN', caseId: '2611230000017' })]);
    expect(zh[0]!.body).toContain('工单号2611230000017');
    const en = messagesFor({ kind: 'created', case: row({ state: 'received', lang: 'en-US' }) }, ctx());
    expect(en[0]!.body).toMatch(/^\[Example City 12345\] Your request is recorded as case 2611230000017/);
  });

  it('on dispatch tells the caller and mails the department its case with the deadline in China time', () => {
    const msgs = messagesFor(moved(row(), { type: 'DISPATCH', department: 'MARKET' }), ctx(market()));
    expect(msgs.map((m) => `${m.kind} ${m.channel} ${m.to}`)).toEqual(['case.dispatched sms +8613800138000', 'case.dispatched.department email desk@market.example.gov.cn']);
    expect(msgs[0]!.body).toContain('已转交示例市市场监督管理局办理');
    expect(chinaTime('2026-11-24T09:30:00.000Z')).toBe('2026-11-24 17:30');
    expect(msgs[1]!.subject).toBe('【12345派单】2611230000017 投诉·市场监管/价格，请于2026-11-24 17:30前签收');
    expect(msgs[1]!.body).toContain('来电人：张先生 +8613800138000');
    expect(msgs[1]!.body).toContain('超市结账价格比标价高');
  });

  it('faxes a department set to fax, and sends nothing to one with no address', () => {
    const fax = messagesFor(moved(row(), { type: 'REDISPATCH', department: 'MARKET' }), ctx(market({ notifyBy: 'fax' })));
    expect(fax[1]).toMatchObject({ channel: 'fax', to: '+862087654321', kind: 'case.dispatched.department' });
    const none = messagesFor(moved(row(), { type: 'DISPATCH', department: 'MARKET' }), ctx(market({ email: null })));
    expect(none.map((m) => m.kind)).toEqual(['case.dispatched']);
  });

  it('texts the department’s answer on reply, mails supervisors on 督办, tells the department of a missed deadline', () => {
    const replied = messagesFor(moved(row({ state: 'replied' }), { type: 'REPLY', note: '已责令超市按标价结算并退还差价' }), ctx(market()));
    expect(replied).toHaveLength(1);
    expect(replied[0]!.body).toContain('答复：已责令超市按标价结算并退还差价');
    const supervised = messagesFor(moved(row(), { type: 'SUPERVISE', reason: '超期: accept' }), ctx(market()));
    expect(supervised.map((m) => m.to)).toEqual(['sup@example.gov.cn', 'leader@example.gov.cn']);
    expect(supervised[0]!.body).toContain('原因：超期: accept');
    const late = messagesFor({ kind: 'deadline', case: row(), miss: { caseId: row().id, step: 'accept', kind: 'overdue', dueAt: '2026-11-24T09:30:00.000Z', escalated: true } }, ctx(market()));
    expect(late).toEqual([expect.objectContaining({ kind: 'case.deadline.overdue', channel: 'email', to: 'desk@market.example.gov.cn' })]);
    expect(late[0]!.subject).toBe('【12345超期通知】2611230000017 已超期（签收，时限2026-11-24 17:30）');
    const nearing = messagesFor({ kind: 'deadline', case: row(), miss: { caseId: row().id, step: 'reply', kind: 'warning', dueAt: '2026-11-24T09:30:00.000Z', escalated: false } }, ctx(market({ notifyBy: 'fax' })));
    expect(nearing).toEqual([expect.objectContaining({ kind: 'case.deadline.warning', channel: 'fax', to: '+862087654321', subject: '【12345临期提醒】2611230000017 将于2026-11-24 17:30到期（答复）' })]);
    // With callback calls on, the reply also queues the callback (回访) for later; without a phone, nothing for the caller.
    const withCallback = messagesFor(moved(row({ state: 'replied' }), { type: 'REPLY', note: '已处理' }), { ...ctx(market()), callbackAfterMs: 3_600_000, now: () => new Date('2026-11-23T02:00:00Z') });
    expect(withCallback.map((m) => `${m.kind} ${m.channel} ${m.to}`)).toEqual(['case.replied sms +8613800138000', 'case.callback voice +8613800138000']);
    expect(withCallback[1]!.notBefore).toEqual(new Date('2026-11-23T03:00:00Z'));
    expect(messagesFor(moved(row({ state: 'replied', caller_phone: '' }), { type: 'REPLY' }), { ...ctx(market()), callbackAfterMs: 0 })).toEqual([]);
    // Moves nobody outside needs to hear of send nothing.
    expect(messagesFor(moved(row({ state: 'accepted' }), { type: 'ACCEPT' }), ctx(market()))).toEqual([]);
  });
});

describe('retry timing', () => {
  it('doubles the wait after each failure, caps it, and spreads it by up to a quarter', () => {
    expect([1, 2, 3, 4].map((a) => backoff(a, 1000, 5000, () => 1))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoff(2, 1000, 5000, () => 0)).toBe(1500);
  });
});
