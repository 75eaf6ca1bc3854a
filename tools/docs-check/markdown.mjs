// Just enough markdown for the docs check: fenced code blocks, links and GitHub's heading anchors.

const fence = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** Fenced code blocks: `lang` and `flags` from the info string, `line` of the opening fence (1-based). */
export function codeBlocks(text) {
  const blocks = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i]);
    if (!open) continue;
    const [lang = '', ...flags] = open[3].trim().split(/\s+/);
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = fence.exec(lines[j]);
      if (close && close[2][0] === open[2][0] && close[2].length >= open[2].length && close[3].trim() === '')
        break;
      body.push(lines[j].slice(Math.min(open[1].length, lines[j].length - lines[j].trimStart().length)));
    }
    blocks.push({ lang: lang.toLowerCase(), flags, line: i + 1, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** Relative links (`[text](target)`, `[label]: target`, `<a href>`), outside code; absolute URLs are left out. */
export function markdownLinks(text) {
  const links = [];
  const lines = withoutCode(text).split('\n');
  lines.forEach((line, index) => {
    const found = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...line.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]),
      ...[...line.matchAll(/<a\s[^>]*href="([^"]+)"/g)].map((m) => m[1]),
    ];
    for (const target of found) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      links.push({ target, line: index + 1 });
    }
  });
  return links;
}

/** The anchors GitHub gives a file's headings (lower case, punctuation dropped, spaces to `-`, repeats numbered). */
export function headingSlugs(text) {
  const slugs = new Set();
  const seen = new Map();
  for (const line of withoutCode(text, false).split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const match of text.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) slugs.add(match[1].toLowerCase());
  return slugs;
}

/** The text with fenced blocks (and inline code, unless `inline` is false) blanked, line numbers kept. */
function withoutCode(text, inline = true) {
  let inFence = false;
  let marker = '';
  return text
    .split('\n')
    .map((line) => {
      const f = fence.exec(line);
      if (f && (!inFence || (f[2][0] === marker[0] && f[2].length >= marker.length && f[3].trim() === ''))) {
        inFence = !inFence;
        marker = f[2];
        return '';
      }
      if (inFence) return '';
      return inline ? line.replace(/(`+)[\s\S]*?\1/g, '') : line;
    })
    .join('\n');
}
