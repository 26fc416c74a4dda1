import { css } from 'lit';

/** Shared look: calm colours, system fonts with CJK fallbacks, compact controls for a 1366×768 seat. */
export const base = css`
  :host {
    --bg: #f4f6f8;
    --panel: #ffffff;
    --line: #dde2e8;
    --text: #1f2933;
    --muted: #616e7c;
    --accent: #1d5fa8;
    --accent-soft: #e6eff9;
    --ok: #1f7a4d;
    --ok-soft: #e3f4ea;
    --warn: #a35c00;
    --warn-soft: #fdf1dc;
    --bad: #b3261e;
    --bad-soft: #fbe7e6;
    --radius: 6px;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif;
    font-size: 14px;
    line-height: 1.45;
    color: var(--text);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h2,
  h3,
  h4 {
    margin: 0 0 6px;
    font-weight: 600;
  }
  h2 {
    font-size: 16px;
  }
  h3 {
    font-size: 14px;
    color: var(--muted);
    text-transform: none;
  }
  button,
  select,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    border: 1px solid var(--line);
    background: var(--panel);
    border-radius: var(--radius);
    padding: 4px 10px;
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover:not(:disabled) {
    border-color: var(--accent);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: #fff;
  }
  button.danger {
    color: var(--bad);
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--accent);
    outline-offset: 1px;
  }
  input,
  select,
  textarea {
    border: 1px solid var(--line);
    border-radius: var(--radius);
    padding: 4px 8px;
    background: #fff;
    min-width: 0;
  }
  textarea {
    resize: vertical;
  }
  .muted {
    color: var(--muted);
  }
  .small {
    font-size: 12px;
  }
  .error {
    color: var(--bad);
  }
  .ok {
    color: var(--ok);
  }
  .badge {
    display: inline-block;
    border-radius: 10px;
    padding: 0 8px;
    font-size: 12px;
    background: var(--accent-soft);
    color: var(--accent);
    white-space: nowrap;
  }
  .badge.warn {
    background: var(--warn-soft);
    color: var(--warn);
  }
  .badge.bad {
    background: var(--bad-soft);
    color: var(--bad);
  }
  .badge.ok {
    background: var(--ok-soft);
    color: var(--ok);
  }
  .badge.grey {
    background: #eceff2;
    color: var(--muted);
  }
  .card {
    background: var(--panel);
    border: 1px solid var(--line);
    border-radius: var(--radius);
    padding: 10px 12px;
  }
  .row {
    display: flex;
    gap: 8px;
    align-items: center;
    flex-wrap: wrap;
  }
  .grow {
    flex: 1 1 auto;
    min-width: 0;
  }
  .pre {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  ul.plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .tabs {
    display: flex;
    gap: 2px;
    border-bottom: 1px solid var(--line);
  }
  .tabs button {
    border: none;
    border-bottom: 2px solid transparent;
    border-radius: 0;
    background: transparent;
    padding: 6px 12px;
    color: var(--muted);
  }
  .tabs button[aria-selected='true'] {
    border-bottom-color: var(--accent);
    color: var(--accent);
    font-weight: 600;
  }
  label.field {
    display: flex;
    flex-direction: column;
    gap: 2px;
    font-size: 13px;
    color: var(--muted);
  }
  label.field > input,
  label.field > select,
  label.field > textarea {
    color: var(--text);
  }
  .field-error {
    color: var(--bad);
    font-size: 12px;
  }
`;

/** A column pane that fills its slot and lets an inner list scroll (add height, padding, borders locally). */
export const pane = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
  }
`;

/** The list that takes the rest of a pane and scrolls on its own. */
export const scrollList = css`
  ul {
    flex: 1;
    overflow-y: auto;
    min-height: 0;
  }
`;

/** A single form centred in the page (sign-in, password change); set the form's width locally. */
export const centeredCard = css`
  :host {
    display: grid;
    place-items: center;
    height: 100%;
  }
  form {
    display: flex;
    flex-direction: column;
    gap: 12px;
  }
`;

/** A wrapping line of small muted facts about a call, values in bold. */
export const facts = css`
  .facts {
    display: flex;
    gap: 14px;
    flex-wrap: wrap;
    font-size: 12px;
    color: var(--muted);
  }
  .facts b {
    color: var(--text);
    font-weight: 600;
  }
`;

/** A read-only record in a modal dialog (a case, a call): header with a close button, then the body. */
export const dialogStyles = css`
  dialog {
    border: 1px solid var(--line);
    border-radius: var(--radius);
    padding: 0;
    width: min(760px, 92vw);
    max-height: 86vh;
    color: var(--text);
  }
  dialog::backdrop {
    background: rgb(31 41 51 / 35%);
  }
  .head {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 10px 14px;
    border-bottom: 1px solid var(--line);
    position: sticky;
    top: 0;
    background: var(--panel);
  }
  .body {
    padding: 10px 14px;
    display: flex;
    flex-direction: column;
    gap: 10px;
  }
  ol {
    margin: 0;
    padding-left: 20px;
  }
  .at {
    font-variant-numeric: tabular-nums;
    color: var(--muted);
    margin-right: 8px;
  }
`;
