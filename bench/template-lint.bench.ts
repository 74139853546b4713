/**
 * Templates linted per second: a realistic mix of good and bad WhatsApp templates of every
 * content type (about half with errors: variables at the edge or with gaps, shorteners, long
 * bodies and buttons, promotional wording in UTILITY), each parsed by the create's schema and
 * linted, as POST …/templates and …/templates/lint do before anything else.
 *
 *   npx tsx bench/template-lint.bench.ts [seconds]
 */
import { TemplateCreateSchema } from '../shared/domain/template';
import { lintTemplate } from '../shared/services/whatsapp/template-lint';

const SECONDS = Number(process.argv[2] ?? 3);
const body = 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Track it in the app or reply to this message. Thank you for shopping with Acme.';
const base = { language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'A-1234' } };

const MIX: unknown[] = [
  { ...base, name: 'order_shipped', content: { type: 'text', body } },
  { ...base, name: 'order_receipt', content: { type: 'media', body, media: ['https://acme.example/receipts/r.pdf'] } },
  { ...base, name: 'delivery_slot', content: { type: 'quick-reply', body, buttons: [{ title: 'Morning' }, { title: 'Afternoon' }, { title: 'Evening' }] } },
  { ...base, name: 'track_order', content: { type: 'call-to-action', body, buttons: [{ type: 'URL', title: 'Track', url: 'https://acme.example/t/{{2}}' }, { type: 'PHONE_NUMBER', title: 'Call us', phone: '+14155550100' }] } },
  { ...base, name: 'order_card', content: { type: 'card', body, header: 'Your order shipped', footer: 'Acme Widgets', buttons: [{ type: 'QUICK_REPLY', title: 'Thanks' }] } },
  { name: 'login_code', language: 'en', category: 'AUTHENTICATION', variables: { '1': '123456' }, content: { type: 'authentication', copyCodeText: 'Copy code', codeExpirationMinutes: 10, addSecurityRecommendation: true } },
  // Bad ones.
  { ...base, name: 'Order Shipped!', content: { type: 'text', body: '{{1}} your order {{3}}' }, variables: { '1': 'Ana' } },
  { ...base, name: 'flash_sale', content: { type: 'text', body: 'Hi {{1}}, 30% off everything today only! Shop now at https://bit.ly/acme-sale and save on order {{2}}.' } },
  { ...base, name: 'long_body', content: { type: 'text', body: `${body} ${'More text follows here. '.repeat(45)}` } },
  { ...base, name: 'bad_buttons', content: { type: 'call-to-action', body, buttons: [1, 2, 3].map((i) => ({ type: 'URL', title: `A very long button title number ${i}`, url: `http://acme.example/${i}` })) } },
  { ...base, name: 'bad_card', content: { type: 'card', body, header: 'H'.repeat(70), footer: 'Footer with {{1}}', media: ['https://acme.example/a.png'] } },
  { ...base, name: 'adjacent_vars', content: { type: 'text', body: 'Dear {{1}} {{2}}, your verification code is ready. Use it within ten minutes please.' } },
];

const parsed = MIX.map((m) => TemplateCreateSchema.parse(m));
const bad = parsed.filter((t) => !lintTemplate(t).ok).length;

function run(ms: number): { count: number; errors: number } {
  const end = performance.now() + ms;
  let count = 0;
  let errors = 0;
  while (performance.now() < end) {
    for (const raw of MIX) {
      const report = lintTemplate(TemplateCreateSchema.parse(raw), { nameTaken: false });
      if (!report.ok) errors++;
      count++;
    }
  }
  return { count, errors };
}

run(500);
const started = performance.now();
const { count, errors } = run(SECONDS * 1000);
const elapsed = (performance.now() - started) / 1000;
console.log(`mix: ${MIX.length} templates (6 content types), ${bad} with errors`);
console.log(`linted ${count} templates in ${elapsed.toFixed(2)} s: ${Math.round(count / elapsed).toLocaleString('en-US')} templates/s (schema parse + lint), ${((elapsed / count) * 1e6).toFixed(1)} µs each; ${errors} refused`);
