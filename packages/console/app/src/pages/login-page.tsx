import { useState } from 'preact/hooks';
import { logIn, type Me } from '../api/session';

/** The login form: the API's auth plugins check the login and password. */
export function LoginPage({ onLogIn }: { onLogIn: (me: Me) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      onLogIn(await logIn(String(form.get('login')), String(form.get('password'))));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
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
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </main>
  );
}
