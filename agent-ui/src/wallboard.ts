import { LitElement, css, html } from 'lit';
import { departments, type Department } from './api.ts';
import { clock, when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { LiveController, TickController, live } from './live.ts';
import { base, pane, scrollList } from './styles.ts';

const STEP_LABEL: Record<string, Key> = { dispatch: 'stepDispatch', accept: 'stepAccept', reply: 'stepReply', callback: 'stepCallback' };

/** The floor at a glance: calls counted from the live store, people and cases from the server, and deadline alerts. */
export class Wallboard extends LitElement {
  static override properties = {
    catalogue: { state: true },
  };
  static override styles = [
    base,
    pane,
    scrollList,
    css`
      :host {
        height: 100%;
        padding: 14px;
        gap: 14px;
      }
      .tiles {
        display: grid;
        grid-template-columns: repeat(5, minmax(0, 1fr));
        gap: 12px;
      }
      .tile {
        background: var(--panel);
        border: 1px solid var(--line);
        border-radius: var(--radius);
        padding: 12px 14px;
      }
      .label {
        color: var(--muted);
        font-size: 13px;
      }
      .value {
        font-size: 34px;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
        line-height: 1.2;
      }
      .value.bad {
        color: var(--bad);
      }
      .alerts {
        flex: 1;
        min-height: 0;
        display: flex;
        flex-direction: column;
      }
      li {
        display: grid;
        grid-template-columns: 150px 110px 90px minmax(0, 1fr) 110px 120px;
        gap: 10px;
        align-items: center;
        padding: 6px 10px;
        border-bottom: 1px solid var(--line);
        background: var(--panel);
      }
      li > .badge {
        justify-self: start;
      }
      .id {
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  declare catalogue: Department[];
  private readonly tick = new TickController(this, 1000);

  constructor() {
    super();
    new LangController(this);
    new LiveController(this);
    this.catalogue = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    departments().then(
      (d) => (this.catalogue = d.departments),
      () => undefined,
    );
  }

  override render() {
    const now = this.tick.now;
    const calls = [...live.calls.values()];
    const inMenu = calls.filter((c) => c.status === 'menu').length;
    const queued = calls.filter((c) => c.status === 'queued');
    const longest = queued.reduce((m, c) => {
      const since = Date.parse(c.queue?.since ?? '');
      return Number.isFinite(since) ? Math.max(m, now - since) : m;
    }, 0);
    const w = live.wallboard;
    const deptName = (code: string | null) => (code ? (this.catalogue.find((d) => d.code === code)?.name ?? code) : '—');
    return html`
      <div class="tiles" data-testid="wallboard">
        <div class="tile"><div class="label">${t('wbMenu')}</div><div class="value" data-testid="wb-menu">${inMenu}</div></div>
        <div class="tile"><div class="label">${t('wbQueued')}</div><div class="value" data-testid="wb-queued">${queued.length}</div></div>
        <div class="tile">
          <div class="label">${t('wbLongestWait')}</div>
          <div class="value ${longest > 120_000 ? 'bad' : ''}" data-testid="wb-longest-wait">${clock(longest)}</div>
        </div>
        <div class="tile">
          <div class="label">${t('wbAgentsAvailable')}</div>
          <div class="value" data-testid="wb-agents-available">${w ? w.agentsAvailable : '—'}</div>
          ${w ? html`<div class="small muted">${t('wbAgentsBusy', { n: w.agentsBusy })}</div>` : ''}
        </div>
        <div class="tile">
          <div class="label">${t('wbOverdue')}</div>
          <div class="value ${w && w.overdueCases > 0 ? 'bad' : ''}" data-testid="wb-overdue">${w ? w.overdueCases : '—'}</div>
        </div>
      </div>
      <section class="alerts">
        <h2>${t('alerts')} <span class="badge grey">${live.alerts.length}</span></h2>
        <ul class="plain" data-testid="alerts">
          ${live.alerts.length
            ? live.alerts.map(
                (a) => html`<li data-testid="alert" data-case-id=${a.caseId} data-kind=${a.kind}>
                  <span class="id">${a.caseId}</span>
                  <span class="badge ${a.kind === 'overdue' ? 'bad' : 'warn'}">${a.kind === 'overdue' ? t('alertOverdue') : t('alertWarning')}</span>
                  <span>${STEP_LABEL[a.step] ? t(STEP_LABEL[a.step]!) : a.step}</span>
                  <span class="small">${deptName(a.department)} · ${t('due', { t: when(a.dueAt) })}</span>
                  <span class="badge ${a.escalated ? 'bad' : 'grey'}">${a.escalated ? t('escalated') : t('notEscalated')}</span>
                  <span class="small muted">${when(a.at)}</span>
                </li>`,
              )
            : html`<li class="muted" style="display:block">${t('noAlerts')}</li>`}
        </ul>
      </section>
    `;
  }
}
customElements.define('hotline-wallboard', Wallboard);

declare global {
  interface HTMLElementTagNameMap {
    'hotline-wallboard': Wallboard;
  }
}
