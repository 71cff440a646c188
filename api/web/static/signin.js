// Sign in: OAuth2 password flow against /auth/token, then show who you are (role and scope).
import { api, flash, header, homeOf, me, scopeText, setToken, t, token, ready } from './common.js';

const form = document.getElementById('signin-form');

async function showIdentity() {
  const user = await me();
  header(user);
  document.getElementById('id-user').textContent = user.username;
  document.getElementById('id-role').textContent = t(`role_${user.role}`);
  document.getElementById('id-scope').textContent = scopeText(user);
  document.getElementById('continue').href = homeOf(user.role);
  document.getElementById('identity').hidden = false;
  form.hidden = true;
  document.getElementById('continue').focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  flash('');
  const body = new URLSearchParams(new FormData(form));
  try {
    const reply = await api('/auth/token', { method: 'POST', form: body });
    setToken(reply.access_token);
    await showIdentity();
  } catch (error) {
    flash(error.status === 401 ? t('wrong_login') : error.message);
    document.getElementById('password').select();
  }
});

if (new URLSearchParams(location.search).has('expired')) flash(t('session_expired'));
if (token()) showIdentity().catch(() => setToken(null));
else document.getElementById('username').focus();
ready();
