const plans = [
  { name: "Monthly", price: "billed every month", blurb: "Try Stripe's monthly renewal cycle." },
  { name: "Yearly", price: "billed every year", blurb: "One invoice a year; the same entitlements." },
];

export function Plans() {
  return (
    <section>
      <h1>Plans</h1>
      <p class="lead">
        Each plan is a Stripe Price on one Product. Choosing one opens Stripe Checkout in subscription mode.
      </p>
      <div class="grid">
        {plans.map((p) => (
          <article class="card plan">
            <h2>{p.name}</h2>
            <p class="price">{p.price}</p>
            <p>{p.blurb}</p>
            <button class="primary" disabled title="Billing arrives in a later version of Tollgate">
              Subscribe {p.name.toLowerCase()}
            </button>
          </article>
        ))}
      </div>
      <p class="note" role="note">
        Billing arrives in a later version of Tollgate: these buttons will then open Stripe Checkout.
      </p>
    </section>
  );
}
