import { rawRequest } from './api.js';
import { busy, field, h, messageArea, resetErrors, showFormError } from './dom.js';
import { session } from './session.js';

export function renderRegister(main) {
  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'register-title' },
    messageArea(),
    field({
      label: 'Email',
      name: 'email',
      type: 'email',
      autocomplete: 'email',
      required: true,
      spellcheck: 'false',
    }),
    field({
      label: 'Password',
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
      minlength: 8,
      maxlength: 128,
      hint: '8 to 128 characters. A few unrelated words make a strong one.',
    }),
    field({
      label: 'Repeat the password',
      name: 'confirm',
      type: 'password',
      autocomplete: 'new-password',
      required: true,
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Create account' })),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    resetErrors(form);
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    const problems = [];
    if (!email) problems.push({ field: 'email', problems: ['Enter your email address.'] });
    if (password.length < 8 || password.length > 128)
      problems.push({ field: 'password', problems: ['Use 8 to 128 characters.'] });
    if (password !== form.elements.confirm.value)
      problems.push({ field: 'confirm', problems: ['The two passwords differ.'] });
    if (problems.length > 0) {
      showFormError(form, { message: 'Please correct the highlighted fields.', fields: problems });
      return;
    }
    try {
      await busy(form, async () => {
        await rawRequest('POST', '/auth/register', { body: { email, password } });
        await session.login(email, password);
      });
    } catch (error) {
      if (error.code === 'email_taken') {
        showFormError(form, {
          message: 'An account with this email exists already.',
          fields: [{ field: 'email', problems: ['This email is taken.'] }],
        });
      } else {
        showFormError(form, error);
      }
    }
  });
  main.querySelector('h1').id = 'register-title';
  main.append(
    h('div', { class: 'card' }, form),
    h('p', {}, 'Have an account? ', h('a', { href: '#/signin', text: 'Sign in' }), '.'),
  );
}
