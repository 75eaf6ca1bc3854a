var __awaiter =
  (this && this.__awaiter) ||
  ((thisArg, _arguments, P, generator) => {
    function adopt(value) {
      return value instanceof P
        ? value
        : new P((resolve) => {
            resolve(value);
          });
    }
    return new (P || (P = Promise))((resolve, reject) => {
      function fulfilled(value) {
        try {
          step(generator.next(value));
        } catch (e) {
          reject(e);
        }
      }
      function rejected(value) {
        try {
          step(generator['throw'](value));
        } catch (e) {
          reject(e);
        }
      }
      function step(result) {
        result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected);
      }
      step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
  });
var __generator =
  (this && this.__generator) ||
  ((thisArg, body) => {
    var _ = {
        label: 0,
        sent: () => {
          if (t[0] & 1) throw t[1];
          return t[1];
        },
        trys: [],
        ops: [],
      },
      f,
      y,
      t,
      g = Object.create((typeof Iterator === 'function' ? Iterator : Object).prototype);
    return (
      (g.next = verb(0)),
      (g['throw'] = verb(1)),
      (g['return'] = verb(2)),
      typeof Symbol === 'function' &&
        (g[Symbol.iterator] = function () {
          return this;
        }),
      g
    );
    function verb(n) {
      return (v) => step([n, v]);
    }
    function step(op) {
      if (f) throw new TypeError('Generator is already executing.');
      while ((g && ((g = 0), op[0] && (_ = 0)), _))
        try {
          if (
            ((f = 1),
            y &&
              (t =
                op[0] & 2
                  ? y['return']
                  : op[0]
                    ? y['throw'] || ((t = y['return']) && t.call(y), 0)
                    : y.next) &&
              !(t = t.call(y, op[1])).done)
          )
            return t;
          if (((y = 0), t)) op = [op[0] & 2, t.value];
          switch (op[0]) {
            case 0:
            case 1:
              t = op;
              break;
            case 4:
              _.label++;
              return { value: op[1], done: false };
            case 5:
              _.label++;
              y = op[1];
              op = [0];
              continue;
            case 7:
              op = _.ops.pop();
              _.trys.pop();
              continue;
            default:
              if (!((t = _.trys), (t = t.length > 0 && t[t.length - 1])) && (op[0] === 6 || op[0] === 2)) {
                _ = 0;
                continue;
              }
              if (op[0] === 3 && (!t || (op[1] > t[0] && op[1] < t[3]))) {
                _.label = op[1];
                break;
              }
              if (op[0] === 6 && _.label < t[1]) {
                _.label = t[1];
                t = op;
                break;
              }
              if (t && _.label < t[2]) {
                _.label = t[2];
                _.ops.push(op);
                break;
              }
              if (t[2]) _.ops.pop();
              _.trys.pop();
              continue;
          }
          op = body.call(thisArg, _);
        } catch (e) {
          op = [6, e];
          y = 0;
        } finally {
          f = t = 0;
        }
      if (op[0] & 5) throw op[1];
      return { value: op[0] ? op[1] : void 0, done: true };
    }
  });
Object.defineProperty(exports, '__esModule', { value: true });
var core_1 = require('@paasmaker/core');
var vitest_1 = require('vitest');
var test_plugin_1 = require('./test-plugin');
var seen = [];
var rubyRuntime = (0, core_1.definePlugin)({
  name: 'acme.runtime.ruby',
  version: '1.2.0',
  apiVersion: core_1.KERNEL_API_VERSION,
  options: {
    type: 'object',
    properties: {
      rubyBinary: { type: 'string', default: 'ruby' },
      versions: { type: 'array', items: { type: 'string' }, default: ['3.3'] },
      mode: { type: 'string', enum: ['managed', 'external'] },
      limits: {
        type: 'object',
        properties: { memoryMb: { type: 'integer', minimum: 64 } },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  setup: (_kernel, options) => {
    seen.push(options);
  },
});
(0, vitest_1.describe)('plugin options', () => {
  (0, vitest_1.it)('applies the schema defaults before setup', () =>
    __awaiter(void 0, void 0, void 0, function () {
      var kernel;
      return __generator(this, (_a) => {
        switch (_a.label) {
          case 0:
            seen.length = 0;
            return [4 /*yield*/, (0, core_1.createKernel)({ plugins: [rubyRuntime] })];
          case 1:
            kernel = _a.sent();
            (0, vitest_1.expect)(seen).toEqual([{ rubyBinary: 'ruby', versions: ['3.3'] }]);
            return [4 /*yield*/, kernel.close()];
          case 2:
            _a.sent();
            return [2 /*return*/];
        }
      });
    }),
  );
  (0, vitest_1.it)('passes given options through and leaves the caller’s object untouched', () =>
    __awaiter(void 0, void 0, void 0, function () {
      var given, kernel;
      return __generator(this, (_a) => {
        switch (_a.label) {
          case 0:
            seen.length = 0;
            given = { rubyBinary: '/opt/ruby/bin/ruby' };
            return [
              4 /*yield*/,
              (0, core_1.createKernel)({ plugins: [{ plugin: rubyRuntime, options: given }] }),
            ];
          case 1:
            kernel = _a.sent();
            (0, vitest_1.expect)(seen).toEqual([{ rubyBinary: '/opt/ruby/bin/ruby', versions: ['3.3'] }]);
            (0, vitest_1.expect)(given).toEqual({ rubyBinary: '/opt/ruby/bin/ruby' });
            return [4 /*yield*/, kernel.close()];
          case 2:
            _a.sent();
            return [2 /*return*/];
        }
      });
    }),
  );
  (0, vitest_1.it)('names the plugin and the JSON path of a wrong type', () =>
    __awaiter(void 0, void 0, void 0, function () {
      var error;
      return __generator(this, (_a) => {
        switch (_a.label) {
          case 0:
            return [
              4 /*yield*/,
              (0, test_plugin_1.errorFrom)(() =>
                (0, core_1.createKernel)({ plugins: [{ plugin: rubyRuntime, options: { rubyBinary: 42 } }] }),
              ),
            ];
          case 1:
            error = _a.sent();
            (0, vitest_1.expect)(error).toBeInstanceOf(core_1.PaasmakerError);
            (0, vitest_1.expect)(error.code).toBe('E_PLUGIN_OPTIONS');
            (0, vitest_1.expect)(error.message).toBe('acme.runtime.ruby: /rubyBinary must be string');
            return [2 /*return*/];
        }
      });
    }),
  );
  (0, vitest_1.it)('reports every problem at once, with nested paths, unknown keys and allowed values', () =>
    __awaiter(void 0, void 0, void 0, function () {
      var error;
      return __generator(this, (_a) => {
        switch (_a.label) {
          case 0:
            return [
              4 /*yield*/,
              (0, test_plugin_1.errorFrom)(() =>
                (0, core_1.createKernel)({
                  plugins: [
                    {
                      plugin: rubyRuntime,
                      options: {
                        versions: ['3.3', 4],
                        mode: 'auto',
                        limits: { memoryMb: 8 },
                        rubyBinay: 'x',
                      },
                    },
                  ],
                }),
              ),
            ];
          case 1:
            error = _a.sent();
            (0, vitest_1.expect)(error.code).toBe('E_PLUGIN_OPTIONS');
            (0, vitest_1.expect)(error.message).toContain('acme.runtime.ruby: ');
            (0, vitest_1.expect)(error.message).toContain(
              '/ must NOT have additional properties: "rubyBinay"',
            );
            (0, vitest_1.expect)(error.message).toContain('/versions/1 must be string');
            (0, vitest_1.expect)(error.message).toContain(
              '/mode must be equal to one of the allowed values ("managed", "external")',
            );
            (0, vitest_1.expect)(error.message).toContain('/limits/memoryMb must be >= 64');
            return [2 /*return*/];
        }
      });
    }),
  );
  (0, vitest_1.it)('refuses options for a plugin that declares none', () =>
    __awaiter(void 0, void 0, void 0, function () {
      var bare, error;
      return __generator(this, (_a) => {
        switch (_a.label) {
          case 0:
            bare = (0, core_1.definePlugin)({
              name: 'acme.bare',
              version: '1.0.0',
              apiVersion: core_1.KERNEL_API_VERSION,
              setup: () => {},
            });
            return [
              4 /*yield*/,
              (0, test_plugin_1.errorFrom)(() =>
                (0, core_1.createKernel)({ plugins: [{ plugin: bare, options: { verbose: true } }] }),
              ),
            ];
          case 1:
            error = _a.sent();
            (0, vitest_1.expect)(error.code).toBe('E_PLUGIN_OPTIONS');
            (0, vitest_1.expect)(error.message).toBe(
              'acme.bare: / must NOT have additional properties: "verbose"',
            );
            return [2 /*return*/];
        }
      });
    }),
  );
  (0, vitest_1.it)('reports a plugin whose options schema is not valid JSON Schema', () =>
    __awaiter(void 0, void 0, void 0, function () {
      var broken, error;
      return __generator(this, (_a) => {
        switch (_a.label) {
          case 0:
            broken = {
              name: 'acme.broken',
              version: '1.0.0',
              apiVersion: core_1.KERNEL_API_VERSION,
              options: JSON.parse('{ "type": "objekt" }'),
              setup: () => {},
            };
            return [
              4 /*yield*/,
              (0, test_plugin_1.errorFrom)(() => (0, core_1.createKernel)({ plugins: [broken] })),
            ];
          case 1:
            error = _a.sent();
            (0, vitest_1.expect)(error.code).toBe('E_PLUGIN_INVALID');
            (0, vitest_1.expect)(error.message).toMatch(
              /^acme\.broken: its options schema is not a valid JSON Schema/,
            );
            return [2 /*return*/];
        }
      });
    }),
  );
});
