import { LitElement, css, html } from 'lit';
import { article, messageOf, type Article } from './api.ts';
import { markdownToText } from './format.ts';
import { LangController, t } from './i18n.ts';
import { base } from './styles.ts';

/** One knowledge article in full, as plain text; can switch to its English version. */
export class ArticleView extends LitElement {
  static override properties = {
    articleId: { attribute: 'article-id' },
    shown: { state: true },
    loaded: { state: true },
    error: { state: true },
  };
  static override styles = [
    base,
    css`
      :host {
        display: block;
      }
      .box {
        margin-top: 8px;
        padding: 10px;
        background: #fafbfc;
        border: 1px solid var(--line);
        border-radius: var(--radius);
        max-height: 360px;
        overflow-y: auto;
      }
      .body {
        margin-top: 6px;
      }
    `,
  ];

  declare articleId: string;
  /** The article on display: the one asked for, or its English version. */
  declare shown: string;
  declare loaded: Article | null;
  declare error: string;

  constructor() {
    super();
    new LangController(this);
    this.articleId = '';
    this.shown = '';
    this.loaded = null;
    this.error = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('articleId')) this.shown = this.articleId;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('shown') && this.shown) void this.load(this.shown);
  }

  private async load(id: string): Promise<void> {
    this.error = '';
    if (this.loaded?.id !== id) this.loaded = null;
    try {
      const a = await article(id);
      if (this.shown === id) this.loaded = a;
    } catch (err) {
      if (this.shown === id) this.error = messageOf(err);
    }
  }

  override render() {
    const a = this.loaded;
    return html`
      <div class="box" data-testid="article-full" data-article-id=${this.shown}>
        ${this.error
          ? html`<div class="error">${this.error}</div>`
          : !a
            ? html`<div class="muted">${t('loading')}</div>`
            : html`
                <h4>${a.title}</h4>
                <div class="row small muted">
                  <span>${a.category}</span><span>${a.department}</span><span>${t('updated', { d: a.updated })}</span>
                  ${a.english && a.english !== a.id ? html`<button class="small" @click=${() => (this.shown = a.english!)}>${t('englishVersion')}</button>` : ''}
                  ${this.shown !== this.articleId ? html`<button class="small" @click=${() => (this.shown = this.articleId)}>中文</button>` : ''}
                </div>
                <div class="body pre">${markdownToText(a.body || a.voice)}</div>
              `}
      </div>
    `;
  }
}
customElements.define('article-view', ArticleView);

declare global {
  interface HTMLElementTagNameMap {
    'article-view': ArticleView;
  }
}
