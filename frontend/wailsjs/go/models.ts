export namespace billing {
	
	export class Reason {
	    key: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new Reason(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.text = source["text"];
	    }
	}
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
	    why: Reason[];
	    notice: string;
	
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
	        this.why = this.convertValues(source["why"], Reason);
	        this.notice = source["notice"];
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
	export class ClockMove {
	    id: string;
	    label: string;
	    // Go type: time
	    to: any;
	    why: string;
	
	    static createFrom(source: any = {}) {
	        return new ClockMove(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.to = this.convertValues(source["to"], null);
	        this.why = source["why"];
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
	export class ClockView {
	    id: string;
	    // Go type: time
	    now: any;
	    moves: ClockMove[];
	
	    static createFrom(source: any = {}) {
	        return new ClockView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.now = this.convertValues(source["now"], null);
	        this.moves = this.convertValues(source["moves"], ClockMove);
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
	export class Explanation {
	    means: string;
	    did: string;
	    needed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Explanation(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.means = source["means"];
	        this.did = source["did"];
	        this.needed = source["needed"];
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
	export class TimelinePoint {
	    // Go type: time
	    at: any;
	    kind: string;
	    label: string;
	    eventId: string;
	
	    static createFrom(source: any = {}) {
	        return new TimelinePoint(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.at = this.convertValues(source["at"], null);
	        this.kind = source["kind"];
	        this.label = source["label"];
	        this.eventId = source["eventId"];
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
	export class TimelineSpan {
	    // Go type: time
	    from: any;
	    // Go type: time
	    to: any;
	    status: string;
	
	    static createFrom(source: any = {}) {
	        return new TimelineSpan(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.from = this.convertValues(source["from"], null);
	        this.to = this.convertValues(source["to"], null);
	        this.status = source["status"];
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
	export class Timeline {
	    subscription: string;
	    // Go type: time
	    from: any;
	    // Go type: time
	    now: any;
	    spans: TimelineSpan[];
	    points: TimelinePoint[];
	
	    static createFrom(source: any = {}) {
	        return new Timeline(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.subscription = source["subscription"];
	        this.from = this.convertValues(source["from"], null);
	        this.now = this.convertValues(source["now"], null);
	        this.spans = this.convertValues(source["spans"], TimelineSpan);
	        this.points = this.convertValues(source["points"], TimelinePoint);
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

export namespace calls {
	
	export class Action {
	    id: number;
	    label: string;
	    // Go type: time
	    at: any;
	
	    static createFrom(source: any = {}) {
	        return new Action(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.at = this.convertValues(source["at"], null);
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
	export class Param {
	    key: string;
	    value: string;
	
	    static createFrom(source: any = {}) {
	        return new Param(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.value = source["value"];
	    }
	}
	export class Call {
	    seq: number;
	    action: Action;
	    method: string;
	    path: string;
	    params: Param[];
	    status: number;
	    error: string;
	    requestId: string;
	    idempotencyKey: string;
	    attempt: number;
	    replayed: boolean;
	    // Go type: time
	    started: any;
	    millis: number;
	
	    static createFrom(source: any = {}) {
	        return new Call(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.seq = source["seq"];
	        this.action = this.convertValues(source["action"], Action);
	        this.method = source["method"];
	        this.path = source["path"];
	        this.params = this.convertValues(source["params"], Param);
	        this.status = source["status"];
	        this.error = source["error"];
	        this.requestId = source["requestId"];
	        this.idempotencyKey = source["idempotencyKey"];
	        this.attempt = source["attempt"];
	        this.replayed = source["replayed"];
	        this.started = this.convertValues(source["started"], null);
	        this.millis = source["millis"];
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

export namespace demo {
	
	export class StepView {
	    caption: string;
	    screen: string;
	    status: string;
	    error: string;
	    millis: number;
	
	    static createFrom(source: any = {}) {
	        return new StepView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.caption = source["caption"];
	        this.screen = source["screen"];
	        this.status = source["status"];
	        this.error = source["error"];
	        this.millis = source["millis"];
	    }
	}
	export class View {
	    active: boolean;
	    steps: StepView[];
	    current: number;
	    pause: boolean;
	    delayMillis: number;
	    started: boolean;
	    finished: boolean;
	    failed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new View(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.active = source["active"];
	        this.steps = this.convertValues(source["steps"], StepView);
	        this.current = source["current"];
	        this.pause = source["pause"];
	        this.delayMillis = source["delayMillis"];
	        this.started = source["started"];
	        this.finished = source["finished"];
	        this.failed = source["failed"];
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

export namespace fault {
	
	export class Active {
	    spec: string;
	    left: number;
	    hit: number;
	
	    static createFrom(source: any = {}) {
	        return new Active(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.spec = source["spec"];
	        this.left = source["left"];
	        this.hit = source["hit"];
	    }
	}

}

export namespace lab {
	
	export class Chaos {
	    available: boolean;
	    reason: string;
	    delaySeconds: number;
	    duplicate: boolean;
	    reorder: boolean;
	    drop: boolean;
	    redeliverSeconds: number;
	    outageSeconds: number;
	    // Go type: time
	    outageUntil: any;
	    endOutage: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Chaos(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.available = source["available"];
	        this.reason = source["reason"];
	        this.delaySeconds = source["delaySeconds"];
	        this.duplicate = source["duplicate"];
	        this.reorder = source["reorder"];
	        this.drop = source["drop"];
	        this.redeliverSeconds = source["redeliverSeconds"];
	        this.outageSeconds = source["outageSeconds"];
	        this.outageUntil = this.convertValues(source["outageUntil"], null);
	        this.endOutage = source["endOutage"];
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

export namespace lessons {
	
	export class Func {
	    file: string;
	    name: string;
	
	    static createFrom(source: any = {}) {
	        return new Func(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.file = source["file"];
	        this.name = source["name"];
	    }
	}
	export class Source {
	    func: Func;
	    line: number;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new Source(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.func = this.convertValues(source["func"], Func);
	        this.line = source["line"];
	        this.text = source["text"];
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
	export class Quote {
	    section: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new Quote(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.section = source["section"];
	        this.text = source["text"];
	    }
	}
	export class Link {
	    title: string;
	    url: string;
	
	    static createFrom(source: any = {}) {
	        return new Link(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.title = source["title"];
	        this.url = source["url"];
	    }
	}
	export class LessonView {
	    id: string;
	    title: string;
	    concept: string;
	    doc: Link;
	    do: string;
	    guide: Quote;
	    code: Source;
	    done: boolean;
	    // Go type: time
	    at: any;
	    // Go type: time
	    stripeAt: any;
	    via: string;
	
	    static createFrom(source: any = {}) {
	        return new LessonView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.concept = source["concept"];
	        this.doc = this.convertValues(source["doc"], Link);
	        this.do = source["do"];
	        this.guide = this.convertValues(source["guide"], Quote);
	        this.code = this.convertValues(source["code"], Source);
	        this.done = source["done"];
	        this.at = this.convertValues(source["at"], null);
	        this.stripeAt = this.convertValues(source["stripeAt"], null);
	        this.via = source["via"];
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
	export class Course {
	    lessons: LessonView[];
	    done: number;
	
	    static createFrom(source: any = {}) {
	        return new Course(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.lessons = this.convertValues(source["lessons"], LessonView);
	        this.done = source["done"];
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
	export class EventRow {
	    event: tollgate.Event;
	    explanation: billing.Explanation;
	    user: string;
	    overtaken: string;
	    refused: number;
	
	    static createFrom(source: any = {}) {
	        return new EventRow(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.event = this.convertValues(source["event"], tollgate.Event);
	        this.explanation = this.convertValues(source["explanation"], billing.Explanation);
	        this.user = source["user"];
	        this.overtaken = source["overtaken"];
	        this.refused = source["refused"];
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
	export class EventLog {
	    events: EventRow[];
	    refusals: webhook.Refusal[];
	
	    static createFrom(source: any = {}) {
	        return new EventLog(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.events = this.convertValues(source["events"], EventRow);
	        this.refusals = this.convertValues(source["refusals"], webhook.Refusal);
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
	
	export class Plans {
	    prices: billing.Price[];
	    hasCustomer: boolean;
	    testClock: string;
	    subscriptions: tollgate.Subscription[];
	    paymentFailed: boolean;
	    trialDays: number;
	    promotion: string;
	    clock: billing.ClockView;
	    timeline: billing.Timeline;
	
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
	        this.clock = this.convertValues(source["clock"], billing.ClockView);
	        this.timeline = this.convertValues(source["timeline"], billing.Timeline);
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
	export class PremiumView {
	    text: string;
	    why: string;
	    notice: string;
	
	    static createFrom(source: any = {}) {
	        return new PremiumView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.why = source["why"];
	        this.notice = source["notice"];
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
	
	export class StatusChange {
	    id: string;
	    before: string;
	    after: string;
	    eventSaid?: string;
	
	    static createFrom(source: any = {}) {
	        return new StatusChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.before = source["before"];
	        this.after = source["after"];
	        this.eventSaid = source["eventSaid"];
	    }
	}
	export class Effect {
	    reread: string[];
	    subscriptions: StatusChange[];
	    entitlementsBefore: string[];
	    entitlementsAfter: string[];
	
	    static createFrom(source: any = {}) {
	        return new Effect(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.reread = source["reread"];
	        this.subscriptions = this.convertValues(source["subscriptions"], StatusChange);
	        this.entitlementsBefore = source["entitlementsBefore"];
	        this.entitlementsAfter = source["entitlementsAfter"];
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
	    customerId?: string;
	    userId?: number;
	    effect?: Effect;
	    duplicates?: string[];
	
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
	        this.customerId = source["customerId"];
	        this.userId = source["userId"];
	        this.effect = this.convertValues(source["effect"], Effect);
	        this.duplicates = source["duplicates"];
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

export namespace webhook {
	
	export class Refusal {
	    // Go type: time
	    at: any;
	    status: number;
	    reply: string;
	    cause: string;
	    eventId: string;
	    eventType: string;
	
	    static createFrom(source: any = {}) {
	        return new Refusal(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.at = this.convertValues(source["at"], null);
	        this.status = source["status"];
	        this.reply = source["reply"];
	        this.cause = source["cause"];
	        this.eventId = source["eventId"];
	        this.eventType = source["eventType"];
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
	export class Replayed {
	    status: number;
	    reply: string;
	    duplicate: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Replayed(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.status = source["status"];
	        this.reply = source["reply"];
	        this.duplicate = source["duplicate"];
	    }
	}

}

