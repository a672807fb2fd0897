// Reading the side panel of the agent's ticket page (views/tickets/_panel.eta) from its HTML: each
// property is a small form whose control is labelled; read what it shows as chosen.
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What the panel's control labelled `label` shows: a select's chosen option, an input's value, a
 * textarea's text, a checkbox as 'Yes' or 'No'. Undefined when the panel has no such control.
 */
export function panelValue(html: string, label: string): string | undefined {
  const panel = html.slice(html.indexOf('<aside class="ticket-panel"'));
  const box = new RegExp(`<label><input id="p-[^"]+"[^>]*?( checked)?> ${escapeRe(label)}(?: <span|</label>)`).exec(panel);
  if (box) return box[1] ? 'Yes' : 'No';
  const id = new RegExp(`<label for="(p-[^"]+)">${escapeRe(label)}(?: <span|</label>)`).exec(panel)?.[1];
  if (!id) return undefined;
  const select = new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(panel);
  if (select) return unescape(/<option value="[^"]*" selected>([^<]*)<\/option>/.exec(select[1]!)?.[1] ?? '');
  const area = new RegExp(`<textarea id="${id}"[^>]*>([^<]*)</textarea>`).exec(panel);
  if (area) return unescape(area[1]!);
  return unescape(new RegExp(`<input id="${id}"[^>]*? value="([^"]*)"`).exec(panel)?.[1] ?? '');
}
