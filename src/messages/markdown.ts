import MarkdownIt from 'markdown-it';

/**
 * Message text is Markdown. Raw HTML in it is not passed through (it is shown as text), and
 * markdown-it refuses javascript:, vbscript:, file: and data: links, so the output is safe to store
 * and show as it is. Links open in a new tab without handing over the page (noopener).
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });

const defaultLinkOpen = md.renderer.rules.link_open
  ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet('rel', 'noopener noreferrer nofollow ugc');
  token.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, idx, options, env, self);
};
// Remote images would let a sender track who read a message: show them as links instead.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = md.utils.escapeHtml(token.attrGet('src') ?? '');
  const alt = md.utils.escapeHtml(token.content || src);
  return `<a href="${src}" rel="noopener noreferrer nofollow ugc" target="_blank">${alt}</a>`;
};

export function renderMarkdown(text: string): string {
  return md.render(text);
}
