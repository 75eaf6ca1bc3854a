import { logIn, type Me } from '../api/session';
import { ErrorMessage } from '../components/error-message';
import { useFormAction } from '../use-busy-action';

/** The login form: the API's auth plugins check the login and password. */
export function LoginPage({ onLogIn }: { onLogIn: (me: Me) => void }) {
  const { busy, error, submit } = useFormAction(async (form: FormData) =>
    onLogIn(await logIn(String(form.get('login')), String(form.get('password')))),
  );
  return (
    <main class="login">
      <h1>Paasmaker</h1>
      <form onSubmit={submit} aria-label="Log in">
        <label for="login">Login</label>
        <input id="login" name="login" autocomplete="username" required autofocus />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <ErrorMessage message={error} />
      </form>
    </main>
  );
}
