/** Test support for the report's SVG figures (imported by the tests beside it). */
/**
 * XML well-formedness, enough for our SVGs: one root element, tags nest and close, attributes are
 * quoted and unique per element, `<` and `&` only start markup or a known entity, no text outside
 * the root.
 */
export function assertWellFormedXml(xml: string): void {
  const token = /<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;
  const stack: string[] = [];
  let roots = 0, last = 0, match: RegExpExecArray | null;
  const outsideText = (text: string, at: number) => {
    if (!stack.length && text.trim()) throw new Error(`text outside the root at ${at}: ${text.trim().slice(0, 20)}`);
  };
  while ((match = token.exec(xml))) {
    outsideText(xml.slice(last, match.index), last);
    last = match.index + match[0].length;
    const [tok, close, name, attrs, selfClose] = match;
    if (tok.startsWith('<!--')) continue;
    if (tok === '<') throw new Error(`stray '<' at ${match.index}`);
    if (tok.startsWith('&')) throw new Error(`bare '&' at ${match.index}`);
    if (close) {
      if (attrs.trim() || selfClose) throw new Error(`malformed end tag ${tok}`);
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at ${match.index}`);
      continue;
    }
    const names = [...attrs.matchAll(/([A-Za-z_][\w:.-]*)\s*=/g)].map((a) => a[1]);
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in ${tok}`);
    if (!stack.length) roots++;
    if (!selfClose) stack.push(name);
  }
  outsideText(xml.slice(last), last);
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}
