import { LitElement, css, html } from 'lit';
import type { CallView } from '../../server/assist/protocol.ts';
import { ApiError, article, departments, messageOf, post, type CaseView, type Department, type SuggestedDepartment } from './api.ts';
import { langName } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { base, facts } from './styles.ts';

/** The panel's case types, and the server's names for them (server/cases/deadlines.ts CASE_TYPES). */
export const CASE_TYPES = {
  consultation: '咨询',
  help: '求助',
  complaint: '投诉',
  report: '举报',
  suggestion: '建议',
} as const;
export type CaseTypeKey = keyof typeof CASE_TYPES;
const TYPE_LABEL: Record<CaseTypeKey, Key> = {
  consultation: 'typeConsultation',
  help: 'typeHelp',
  complaint: 'typeComplaint',
  report: 'typeReport',
  suggestion: 'typeSuggestion',
};

type Field = 'type' | 'category' | 'urgency' | 'callerPhone' | 'callerName' | 'description' | 'district' | 'address' | 'department';

interface Draft {
  type: CaseTypeKey;
  category: string;
  urgency: 'normal' | 'urgent';
  callerPhone: string;
  callerName: string;
  description: string;
  district: string;
  address: string;
  department: string;
  articleId?: string;
  /** The article's department name, to find its code in the catalogue. */
  departmentName?: string;
  /** Fields the agent typed in: a late prefill (the article arriving) must not overwrite them. */
  touched: Set<Field>;
  errors: Partial<Record<Field, string>>;
  error: string;
  busy: boolean;
  /** Prefilled as far as the catalogue and the article allow: the form shows from then on, complete. */
  ready: boolean;
  created?: { case: CaseView; department: string | null; dispatched: boolean; repeats: string[] };
}

/** Per call, so a half-written case survives switching calls or tabs. */
const drafts = new Map<string, Draft>();

/** What the wrap-up starts from: the article in focus and what the suggestion already says about it. */
export interface CaseSeed {
  articleId?: string;
  category?: string;
  /** The article's department, as a name. */
  departmentName?: string;
}

const SUMMARY_CHARS = 500;

/** The caller's own words: finished transcript lines, else what they said in the menu. */
export function summaryOf(call: CallView): string {
  const lines = call.transcript.filter((l) => l.track === 'caller' && l.final).map((l) => l.text.trim());
  const words = lines.length ? lines : call.path.map((p) => p.speech?.trim() ?? '');
  const text = words.filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

const normalPhone = (p: string) => p.replace(/[\s\-().]/g, '');

function codeOf(s: SuggestedDepartment): string {
  if (!s) return '';
  return typeof s === 'string' ? s : (s.department ?? '');
}

/** Server field names as its validation reports them. */
const FIELDS: Field[] = ['type', 'category', 'urgency', 'callerPhone', 'callerName', 'description', 'district', 'address', 'department'];

/** The wrap-up: a case prefilled from the call, created then dispatched. Fires `close`. */
export class CaseForm extends LitElement {
  static override properties = {
    call: { attribute: false },
    seed: { attribute: false },
    catalogue: { state: true },
  };
  static override styles = [
    base,
    facts,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 10px 12px;
      }
      .wide {
        grid-column: 1 / -1;
      }
      textarea {
        min-height: 120px;
      }
      .created {
        border: 1px solid var(--ok);
        background: var(--ok-soft);
        border-radius: var(--radius);
        padding: 14px;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .number {
        font-size: 28px;
        font-weight: 700;
        letter-spacing: 1px;
        font-variant-numeric: tabular-nums;
        color: var(--ok);
        user-select: all;
      }
      .bar {
        display: flex;
        gap: 8px;
        align-items: center;
      }
      h2 {
        display: flex;
        align-items: center;
        gap: 8px;
      }
    `,
  ];

  declare call: CallView;
  declare seed: CaseSeed;
  declare catalogue: Department[];

  constructor() {
    super();
    new LangController(this);
    this.seed = {};
    this.catalogue = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A draft made earlier is shown again (the form was closed and reopened): it needs the options.
    departments().then(
      (cat) => (this.catalogue = cat.departments.filter((x) => x.active)),
      () => undefined,
    );
  }

  override willUpdate(): void {
    const sid = this.call.callSid;
    if (drafts.has(sid)) return;
    const d: Draft = {
      type: 'consultation',
      category: this.seed.category ?? '',
      urgency: 'normal',
      callerPhone: this.call.from,
      callerName: '',
      description: summaryOf(this.call),
      district: '',
      address: '',
      department: '',
      articleId: this.seed.articleId,
      departmentName: this.seed.departmentName,
      touched: new Set(),
      errors: {},
      error: '',
      busy: false,
      ready: false,
    };
    drafts.set(sid, d);
    void this.prefill(d);
  }

  /** Made in willUpdate for the call on display (see there). */
  private get draft(): Draft {
    return drafts.get(this.call.callSid)!;
  }

  private async prefill(d: Draft): Promise<void> {
    const needArticle = d.articleId && (!d.category || !d.departmentName);
    const [cat, art] = await Promise.allSettled([departments(), needArticle ? article(d.articleId!) : Promise.resolve(undefined)]);
    if (cat.status === 'fulfilled') this.catalogue = cat.value.departments.filter((x) => x.active);
    // Either may fail: the agent fills the category in by hand, and the router chooses the department.
    if (art.status === 'fulfilled' && art.value) {
      if (!d.category) d.category = art.value.category;
      d.departmentName ??= art.value.department;
    }
    this.prefillDepartment(d);
    d.ready = true;
    this.requestUpdate();
  }

  /** The article names its department; the catalogue knows its code. No exact match: the router decides. */
  private prefillDepartment(d: Draft): void {
    if (d.touched.has('department') || d.department || !d.departmentName) return;
    const hit = this.catalogue.find((x) => x.name === d.departmentName);
    if (hit) d.department = hit.code;
  }

  private input(field: Field) {
    return (e: Event) => {
      const d = this.draft;
      const v = (e.target as HTMLInputElement).value;
      (d as unknown as Record<string, string>)[field] = v;
      d.touched.add(field);
      delete d.errors[field];
      this.requestUpdate();
    };
  }

  private validate(d: Draft): boolean {
    const e: Partial<Record<Field, string>> = {};
    if (!d.category.trim()) e.category = t('required');
    else if (d.category.trim().length > 200) e.category = t('tooLong', { n: 200 });
    const phone = normalPhone(d.callerPhone);
    if (!phone) e.callerPhone = t('required');
    else if (!/^\+?\d{3,31}$/.test(phone)) e.callerPhone = t('badPhone');
    if (!d.description.trim()) e.description = t('required');
    else if (d.description.length > 5000) e.description = t('tooLong', { n: 5000 });
    if (d.district.length > 100) e.district = t('tooLong', { n: 100 });
    if (d.address.length > 300) e.address = t('tooLong', { n: 300 });
    if (d.callerName.length > 100) e.callerName = t('tooLong', { n: 100 });
    d.errors = e;
    return Object.keys(e).length === 0;
  }

  private async submit(ev: Event): Promise<void> {
    ev.preventDefault();
    const d = this.draft;
    if (d.busy) return;
    d.error = '';
    if (!this.validate(d)) {
      d.error = Object.values(d.errors).join('; ');
      this.requestUpdate();
      return;
    }
    d.busy = true;
    this.requestUpdate();
    const body = {
      type: CASE_TYPES[d.type],
      category: d.category.trim(),
      urgency: d.urgency,
      callerPhone: normalPhone(d.callerPhone),
      callerName: d.callerName.trim() || undefined,
      district: d.district.trim() || undefined,
      address: d.address.trim() || undefined,
      description: d.description.trim(),
      channel: this.call.channel,
      callSid: this.call.callSid,
      articleId: d.articleId,
    };
    try {
      const r = await post<{ case: CaseView; suggestedDepartment: SuggestedDepartment; likelyRepeats?: Array<{ id: string }> }>('/api/cases', body);
      const department = d.department || codeOf(r.suggestedDepartment) || null;
      d.created = { case: r.case, department, dispatched: false, repeats: (r.likelyRepeats ?? []).map((x) => x.id) };
      await this.dispatch(d);
    } catch (err) {
      this.showError(d, err);
    } finally {
      d.busy = false;
      this.requestUpdate();
    }
  }

  private async dispatch(d: Draft): Promise<void> {
    const c = d.created;
    if (!c) return;
    d.error = '';
    if (!c.department) {
      d.error = t('dispatchFailed', { m: t('required') });
      return;
    }
    try {
      const r = await post<{ case: CaseView }>(`/api/cases/${encodeURIComponent(c.case.id)}/events`, { type: 'DISPATCH', department: c.department });
      c.case = r.case;
      c.dispatched = true;
    } catch (err) {
      d.error = t('dispatchFailed', { m: messageOf(err) });
    }
  }

  private async retryDispatch(): Promise<void> {
    const d = this.draft;
    d.busy = true;
    this.requestUpdate();
    if (d.created && d.department) d.created.department = d.department;
    await this.dispatch(d);
    d.busy = false;
    this.requestUpdate();
  }

  private showError(d: Draft, err: unknown): void {
    if (err instanceof ApiError && err.issues.length) {
      const general: string[] = [];
      for (const i of err.issues) {
        const f = i.path.split('.')[0] as Field;
        if (FIELDS.includes(f)) d.errors[f] = i.message;
        else general.push(i.path ? `${i.path}: ${i.message}` : i.message);
      }
      d.error = general.length ? general.join('; ') : err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    } else if (err instanceof ApiError && err.code === 'bad_department') {
      d.errors.department = err.message;
      d.error = err.message;
    } else d.error = messageOf(err);
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }

  private another(): void {
    drafts.delete(this.call.callSid);
    // willUpdate makes a fresh draft from the call.
    this.requestUpdate();
  }

  private fieldError(f: Field) {
    const m = this.draft.errors[f];
    return m ? html`<span class="field-error" data-testid="field-error" data-field=${f}>${m}</span>` : '';
  }

  private deptName(code: string | null): string {
    if (!code) return '';
    const d = this.catalogue.find((x) => x.code === code);
    return d ? `${d.name} (${code})` : code;
  }

  private renderCreated(d: Draft) {
    const c = d.created!;
    return html`
      <div class="created" data-testid="case-created" data-case-id=${c.case.id} role="status">
        <div class="small">${t('caseCreated')} · ${t('caseNumber')}</div>
        <div class="number">${c.case.id}</div>
        ${c.dispatched ? html`<div>${t('dispatchedTo', { d: this.deptName(c.department) })}</div>` : ''}
        <div class="ok">${t('textedToCaller')}</div>
        ${c.repeats.length ? html`<div class="small muted">${t('likelyRepeats', { ids: c.repeats.join(', ') })}</div>` : ''}
      </div>
      ${d.error
        ? html`<div class="error" data-testid="case-error" role="alert">${d.error}</div>
            <div class="bar">
              <select data-testid="case-department" .value=${d.department} @change=${this.input('department')}>
                ${this.departmentOptions(d)}
              </select>
              <button ?disabled=${d.busy} @click=${this.retryDispatch}>${t('retryDispatch')}</button>
            </div>`
        : ''}
      <div class="bar" style="margin-top:10px">
        <button @click=${this.another}>${t('newCase')}</button>
        <button @click=${this.close}>${t('close')}</button>
      </div>
    `;
  }

  private departmentOptions(d: Draft) {
    const known = this.catalogue.some((x) => x.code === d.department);
    return html`
      <option value="" ?selected=${d.department === ''}>${t('departmentAuto')}</option>
      ${this.catalogue.map((x) => html`<option value=${x.code} ?selected=${x.code === d.department}>${x.name}</option>`)}
      ${d.department && !known ? html`<option value=${d.department} selected>${d.department}</option>` : ''}
    `;
  }

  override render() {
    const d = this.draft;
    const typeKeys = Object.keys(CASE_TYPES) as CaseTypeKey[];
    return html`
      <h2>${t('caseFormTitle')} <span class="badge grey">${this.call.callSid}</span></h2>
      ${d.created
        ? this.renderCreated(d)
        : !d.ready
          ? html`<div class="muted">${t('loading')}</div>`
          : html`
            <form data-testid="case-form" @submit=${this.submit} novalidate>
              <label class="field"
                >${t('caseType')}
                <select data-testid="case-type" .value=${d.type} @change=${this.input('type')}>
                  ${typeKeys.map((k) => html`<option value=${k} ?selected=${k === d.type}>${t(TYPE_LABEL[k])}</option>`)}
                </select>
                ${this.fieldError('type')}
              </label>
              <label class="field"
                >${t('urgency')}
                <select data-testid="case-urgency" .value=${d.urgency} @change=${this.input('urgency')}>
                  <option value="normal" ?selected=${d.urgency === 'normal'}>${t('urgencyNormal')}</option>
                  <option value="urgent" ?selected=${d.urgency === 'urgent'}>${t('urgencyUrgent')}</option>
                </select>
              </label>
              <label class="field"
                >${t('category')} *
                <input data-testid="case-category" .value=${d.category} @input=${this.input('category')} maxlength="200" />
                ${this.fieldError('category')}
              </label>
              <label class="field"
                >${t('department')}
                <select data-testid="case-department" .value=${d.department} @change=${this.input('department')}>
                  ${this.departmentOptions(d)}
                </select>
                ${this.fieldError('department')}
              </label>
              <label class="field"
                >${t('callerPhone')} *
                <input data-testid="case-phone" type="tel" .value=${d.callerPhone} @input=${this.input('callerPhone')} />
                ${this.fieldError('callerPhone')}
              </label>
              <label class="field"
                >${t('callerName')}
                <input data-testid="case-name" .value=${d.callerName} @input=${this.input('callerName')} maxlength="100" />
                ${this.fieldError('callerName')}
              </label>
              <label class="field"
                >${t('district')}
                <input data-testid="case-district" .value=${d.district} @input=${this.input('district')} maxlength="100" />
                ${this.fieldError('district')}
              </label>
              <label class="field"
                >${t('address')}
                <input data-testid="case-address" .value=${d.address} @input=${this.input('address')} maxlength="300" />
                ${this.fieldError('address')}
              </label>
              <label class="field wide"
                >${t('description')} *
                <textarea data-testid="case-description" .value=${d.description} @input=${this.input('description')}></textarea>
                ${this.fieldError('description')}
              </label>
              <div class="facts wide">
                <span>${t('channel')}: ${this.call.channel === 'sms' ? t('channelSms') : t('channelVoice')}</span>
                <span>${t('language')}: ${langName(this.call.lang)}</span>
                ${d.articleId ? html`<span>${d.articleId}</span>` : ''}
              </div>
              ${d.error ? html`<div class="error wide" data-testid="case-error" role="alert">${d.error}</div>` : ''}
              <div class="bar wide">
                <button class="primary" type="submit" data-testid="case-submit" ?disabled=${d.busy}>${d.busy ? t('submitting') : t('submitCase')}</button>
                <button type="button" @click=${this.close}>${t('cancel')}</button>
              </div>
            </form>
          `}
    `;
  }
}
customElements.define('case-form', CaseForm);

declare global {
  interface HTMLElementTagNameMap {
    'case-form': CaseForm;
  }
}
