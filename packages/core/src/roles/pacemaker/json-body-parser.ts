import type { FastifyInstance } from 'fastify';
import { PaasmakerError } from '../../kernel/errors';

/** The deepest nesting of objects and arrays an API body may have (the body itself is level 1). */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the JSON text nests objects and arrays more than `limit` deep. One pass over the
 * characters, without recursion and without parsing, so that no depth can exhaust the stack.
 * Brackets inside strings do not count; malformed JSON is left to the parser.
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      depth++;
      if (depth > limit) return true;
    } else if (char === '}' || char === ']') depth--;
  }
  return false;
}

/**
 * Replaces the server's JSON body parser with one that first refuses bodies nested deeper than
 * {@link MAX_JSON_DEPTH} (`E_API_BODY_TOO_DEEP`): deeper values would overflow the stack of
 * schema validation or serialisation further on. Everything else is fastify's own parser
 * (`__proto__` keys refused, constructor keys ignored, the body limit kept).
 */
export function useDepthLimitedJsonParser(server: FastifyInstance): void {
  const parse = server.getDefaultJsonParser('error', 'ignore');
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        new PaasmakerError(
          'E_API_BODY_TOO_DEEP',
          `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; the API accepts at most ${MAX_JSON_DEPTH}.`,
        ),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}
