export function Home() {
  return (
    <section class="hero">
      <h1>Learn Stripe subscriptions by running one.</h1>
      <p class="lead">
        Tollgate is a desktop lab for recurring revenue: you register, subscribe monthly or yearly through Stripe
        Checkout, watch the webhooks arrive, see your entitlements and open a Premium page that only subscribers reach.
      </p>
      <ol class="steps">
        <li>
          <strong>Register and log in</strong> with a local account.
        </li>
        <li>
          <strong>Choose a plan</strong>, Monthly or Yearly, on the Plans screen.
        </li>
        <li>
          <strong>Check Access</strong> to see the entitlements your plan grants.
        </li>
        <li>
          <strong>Open Premium</strong>, which needs the <code>test-access</code> entitlement.
        </li>
      </ol>
      <p class="actions">
        <a class="button primary" href="#/register">
          Create an account
        </a>
        <a class="button" href="#/login">
          Log in
        </a>
      </p>
    </section>
  );
}
