import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { OutboxRow } from './outbox.ts';

/**
 * Where Debian and most distributions put a CJK font (packages fonts-wqy-microhei,
 * fonts-noto-cjk), with the face to take from the collection (`file#PostScriptName`).
 */
const CJK_FONTS = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#WenQuanYiMicroHei',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#NotoSansCJKsc-Regular',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#WenQuanYiZenHei',
];

/** The font a fax is set in (`file` or `file#face`): the configured one, or the first CJK font found; undefined when there is none. */
export function findCjkFont(configured?: string): string | undefined {
  const exists = (f: string) => existsSync(f.split('#')[0]!);
  if (configured) return exists(configured) ? configured : undefined;
  return CJK_FONTS.find(exists);
}

/** The message as an A4 page (or more): the subject as a heading, then the text. */
export function faxPdf(m: Pick<OutboxRow, 'subject' | 'body' | 'case_id'>, font: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: m.subject ?? 'Hotline', Creator: 'Hotline 12345' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    // A .ttc holds several faces: `file#face` names the one to use.
    const [file, face] = font.split('#');
    doc.registerFont('cjk', file!, face);
    doc.font('cjk').fontSize(15).text(m.subject ?? '', { align: 'left' });
    doc.moveDown();
    doc.fontSize(11).text(m.body, { align: 'left', lineGap: 3 });
    doc.end();
  });
}
