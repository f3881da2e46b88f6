export namespace billing {
	
	export class Access {
	    hasCustomer: boolean;
	    customerId: string;
	    local: string[];
	    live: string[];
	    liveError: string;
	    onlyLocal: string[];
	    onlyLive: string[];
	    hasTestAccess: boolean;
	    hasTestAccess2: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Access(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.hasCustomer = source["hasCustomer"];
	        this.customerId = source["customerId"];
	        this.local = source["local"];
	        this.live = source["live"];
	        this.liveError = source["liveError"];
	        this.onlyLocal = source["onlyLocal"];
	        this.onlyLive = source["onlyLive"];
	        this.hasTestAccess = source["hasTestAccess"];
	        this.hasTestAccess2 = source["hasTestAccess2"];
	    }
	}
	export class Price {
	    plan: string;
	    id: string;
	    product: string;
	    amount: number;
	    currency: string;
	    interval: string;
	
	    static createFrom(source: any = {}) {
	        return new Price(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.plan = source["plan"];
	        this.id = source["id"];
	        this.product = source["product"];
	        this.amount = source["amount"];
	        this.currency = source["currency"];
	        this.interval = source["interval"];
	    }
	}
	export class Redirect {
	    url: string;
	    portal: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Redirect(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.url = source["url"];
	        this.portal = source["portal"];
	    }
	}

}

export namespace lab {
	
	export class Fact {
	    label: string;
	    value: string;
	
	    static createFrom(source: any = {}) {
	        return new Fact(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.label = source["label"];
	        this.value = source["value"];
	    }
	}
	export class Step {
	    id: string;
	    title: string;
	    status: string;
	    facts: Fact[];
	    note: string;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new Step(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.status = source["status"];
	        this.facts = this.convertValues(source["facts"], Fact);
	        this.note = source["note"];
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class State {
	    mode: string;
	    apiBase: string;
	    account: string;
	    webhook: string;
	    webhookSet: boolean;
	    testClocks: boolean;
	    ready: boolean;
	    error: string;
	    steps: Step[];
	    listenCommand: string;
	
	    static createFrom(source: any = {}) {
	        return new State(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.apiBase = source["apiBase"];
	        this.account = source["account"];
	        this.webhook = source["webhook"];
	        this.webhookSet = source["webhookSet"];
	        this.testClocks = source["testClocks"];
	        this.ready = source["ready"];
	        this.error = source["error"];
	        this.steps = this.convertValues(source["steps"], Step);
	        this.listenCommand = source["listenCommand"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace main {
	
	export class About {
	    version: string;
	    dataDir: string;
	    database: string;
	    schemaVersion: number;
	    face: string;
	
	    static createFrom(source: any = {}) {
	        return new About(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.dataDir = source["dataDir"];
	        this.database = source["database"];
	        this.schemaVersion = source["schemaVersion"];
	        this.face = source["face"];
	    }
	}
	export class Plans {
	    prices: billing.Price[];
	    hasCustomer: boolean;
	    testClock: string;
	    subscriptions: tollgate.Subscription[];
	    paymentFailed: boolean;
	    trialDays: number;
	    promotion: string;
	
	    static createFrom(source: any = {}) {
	        return new Plans(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.prices = this.convertValues(source["prices"], billing.Price);
	        this.hasCustomer = source["hasCustomer"];
	        this.testClock = source["testClock"];
	        this.subscriptions = this.convertValues(source["subscriptions"], tollgate.Subscription);
	        this.paymentFailed = source["paymentFailed"];
	        this.trialDays = source["trialDays"];
	        this.promotion = source["promotion"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace settings {
	
	export class Form {
	    secretKey: string;
	    webhookSecret: string;
	    ngrokAuthtoken: string;
	    monthlyPrice: string;
	    yearlyPrice: string;
	    testClocks: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Form(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.secretKey = source["secretKey"];
	        this.webhookSecret = source["webhookSecret"];
	        this.ngrokAuthtoken = source["ngrokAuthtoken"];
	        this.monthlyPrice = source["monthlyPrice"];
	        this.yearlyPrice = source["yearlyPrice"];
	        this.testClocks = source["testClocks"];
	    }
	}
	export class View {
	    secretKeySet: boolean;
	    secretKeyHint: string;
	    webhookSecretSet: boolean;
	    ngrokAuthtokenSet: boolean;
	    monthlyPrice: string;
	    yearlyPrice: string;
	    testClocks: boolean;
	    fromEnvironment: string[];
	
	    static createFrom(source: any = {}) {
	        return new View(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.secretKeySet = source["secretKeySet"];
	        this.secretKeyHint = source["secretKeyHint"];
	        this.webhookSecretSet = source["webhookSecretSet"];
	        this.ngrokAuthtokenSet = source["ngrokAuthtokenSet"];
	        this.monthlyPrice = source["monthlyPrice"];
	        this.yearlyPrice = source["yearlyPrice"];
	        this.testClocks = source["testClocks"];
	        this.fromEnvironment = source["fromEnvironment"];
	    }
	}

}

export namespace tollgate {
	
	export class Event {
	    id: string;
	    type: string;
	    apiVersion: string;
	    // Go type: time
	    created: any;
	    // Go type: time
	    received: any;
	    outcome: string;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new Event(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.type = source["type"];
	        this.apiVersion = source["apiVersion"];
	        this.created = this.convertValues(source["created"], null);
	        this.received = this.convertValues(source["received"], null);
	        this.outcome = source["outcome"];
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class InvoiceLine {
	    description: string;
	    amount: number;
	    proration: boolean;
	
	    static createFrom(source: any = {}) {
	        return new InvoiceLine(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.description = source["description"];
	        this.amount = source["amount"];
	        this.proration = source["proration"];
	    }
	}
	export class InvoiceDiscount {
	    name: string;
	    amount: number;
	
	    static createFrom(source: any = {}) {
	        return new InvoiceDiscount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.amount = source["amount"];
	    }
	}
	export class Invoice {
	    id: string;
	    number: string;
	    status: string;
	    billingReason: string;
	    currency: string;
	    subtotal: number;
	    total: number;
	    amountDue: number;
	    amountPaid: number;
	    amountRemaining: number;
	    discounts: InvoiceDiscount[];
	    lines: InvoiceLine[];
	    hostedUrl: string;
	    // Go type: time
	    created: any;
	
	    static createFrom(source: any = {}) {
	        return new Invoice(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.number = source["number"];
	        this.status = source["status"];
	        this.billingReason = source["billingReason"];
	        this.currency = source["currency"];
	        this.subtotal = source["subtotal"];
	        this.total = source["total"];
	        this.amountDue = source["amountDue"];
	        this.amountPaid = source["amountPaid"];
	        this.amountRemaining = source["amountRemaining"];
	        this.discounts = this.convertValues(source["discounts"], InvoiceDiscount);
	        this.lines = this.convertValues(source["lines"], InvoiceLine);
	        this.hostedUrl = source["hostedUrl"];
	        this.created = this.convertValues(source["created"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class Subscription {
	    stripeId: string;
	    customerId: string;
	    userId: number;
	    status: string;
	    productId: string;
	    priceId: string;
	    interval: string;
	    cancelAtPeriodEnd: boolean;
	    // Go type: time
	    currentPeriodEnd: any;
	    // Go type: time
	    trialEnd: any;
	    // Go type: time
	    endedAt: any;
	    // Go type: time
	    created: any;
	    latestInvoiceId: string;
	    latestInvoiceStatus: string;
	    // Go type: time
	    nextPaymentAttempt: any;
	    latestInvoice: Invoice;
	    card: string;
	    cardId: string;
	    failedCardId: string;
	    cardUpdated: boolean;
	    // Go type: time
	    syncedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new Subscription(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.stripeId = source["stripeId"];
	        this.customerId = source["customerId"];
	        this.userId = source["userId"];
	        this.status = source["status"];
	        this.productId = source["productId"];
	        this.priceId = source["priceId"];
	        this.interval = source["interval"];
	        this.cancelAtPeriodEnd = source["cancelAtPeriodEnd"];
	        this.currentPeriodEnd = this.convertValues(source["currentPeriodEnd"], null);
	        this.trialEnd = this.convertValues(source["trialEnd"], null);
	        this.endedAt = this.convertValues(source["endedAt"], null);
	        this.created = this.convertValues(source["created"], null);
	        this.latestInvoiceId = source["latestInvoiceId"];
	        this.latestInvoiceStatus = source["latestInvoiceStatus"];
	        this.nextPaymentAttempt = this.convertValues(source["nextPaymentAttempt"], null);
	        this.latestInvoice = this.convertValues(source["latestInvoice"], Invoice);
	        this.card = source["card"];
	        this.cardId = source["cardId"];
	        this.failedCardId = source["failedCardId"];
	        this.cardUpdated = source["cardUpdated"];
	        this.syncedAt = this.convertValues(source["syncedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class User {
	    id: number;
	    email: string;
	    name: string;
	    // Go type: time
	    createdAt: any;
	
	    static createFrom(source: any = {}) {
	        return new User(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.email = source["email"];
	        this.name = source["name"];
	        this.createdAt = this.convertValues(source["createdAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

