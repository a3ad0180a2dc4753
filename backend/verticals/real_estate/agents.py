"""The real-estate vertical, declared in one place: agents, skills, examples, replies."""

from __future__ import annotations

from pathlib import Path

from backend.agents.clock import spoken
from backend.agents.context import CallContext
from backend.agents.internal_ids import caller_name
from backend.agents.tools import identity, people
from backend.agents.vertical import AgentSpec, Skill, Vertical
from backend.verticals.real_estate import listings as homes
from backend.verticals.real_estate.demo import NEIGHBOURS
from backend.verticals.real_estate.tools import appraisal, listings, mortgage, preferences, resolve, viewings

ASKED_BEFORE = (
    r"\b(that|the) (\w+ ){1,2}(one|place|house|home|unit|apartment|flat|terrace),? (i|we)"
    r" (asked|talked|spoke|enquired|looked|saw|mentioned)"
)
"""A home from an earlier call ("that Parramatta house I asked about"): one home, not a search."""
BOOKED_DAY_CHECKED = (
    r"\b(double[- ]?check\w*|just check\w*|confirm\w*|making sure)\b.*"
    r"\b((the|that|my) (mon|tues|wednes|thurs|fri|satur|sun)day one|my (viewing|inspection|booking)"
    r"|the ([\w']+ ){1,3}(viewing|inspection|booking)|(viewing|inspection|booking)'?s? (is )?still"
    r"|the ([\w']+ ){1,3}one('s| is) (still |now )?(at|on)\b)\b"
)
"""A viewing booked, checked by its day or street ("just double checking the Saturday one is at
ten", "just confirming, the Hill Street viewing is still Saturday", "making sure the Chatswood
one's at three now"): what is on file, not a new booking."""
BOOKING_ASKED = (
    r"^(?!.*\bre-\d{8})"  # a reference said is one given, for a change, not one asked for
    r".*?(\bwhat('?s| is| was)? (the )?(time|address|reference)\b.*\bagain\b"
    r"|\bwhat('?s| is| was)? (the )?(time|address)\b.*\b(i'?m|im|we'?re|i am|we are) (seeing|viewing|inspecting)\b"
    r"|\bwhat time (was|is) (that|it|my|the)\b|\bwhat time (am|are) (i|we) (seeing|viewing|inspecting)\b"
    r"|\b(booking|viewing) (reference|number|ref)\b|\bwhat('?s| is| was) (my|our|the) (booking )?(reference|ref)\b"
    r"|\b(which|what) day (is|was) (it|that|my)\b|\bremind me (of )?(the )?(time|address|reference)\b)"
)
"""A detail of a viewing booked asked for again ("sorry whats the time and address again", "whats
the address of the place im seeing sunday", "the booking reference for Saturday"): what is on
file, not a home to resolve or a booking."""

UNWANTED = (
    r"\b(off (my|the|our) (short ?)?list|(take|cross|strike|knock) (it|that|them|the [\w ]{1,30}?) off"
    r"|remove|no longer (interested|keen)|not (interested|keen) (in (it|that|the|this)|on (it|that|the|this)|any ?more)"
    r"|(gone|went) off (it|that|the))\b"
)
"""A home the caller no longer wants ("take the second one off my shortlist", "not keen on
the Coogee one any more"): out of the shortlist, never into it."""

LIST_ASKED = r"\b(is|are|was|what'?s|which)\b.*\b(on|in) (my|our|the) (short ?)?list\b.*\?"
"""What the shortlist holds, asked ("is the Maroubra one still on my shortlist?"): read, not changed."""

_CLOCK = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(:\d\d)?( ?[ap]\.?m\.?| o'?clock)?"
CLOCK_SWAP = rf"\b{_CLOCK} (instead of|rather than|not) {_CLOCK}\W*$"
"""One bare number for another, nothing after ("could we make that three instead of one?"): the
time of a viewing; bedrooms are named ("three bedrooms instead of two")."""

DAY_NAME = r"(mon|tues?|wed|thu(rs)?|fri|sat|sun)"
"""A weekday, short or whole (a word's rest may follow)."""
DAY_PUT_RIGHT = rf"\bmeant\b.*\b{DAY_NAME}\w*,? (not|rather than) {DAY_NAME}"
"""A day put right ("I meant Thurs not Tues"): a booking's, never a suburb dropped."""

_STREET_KINDS = (
    r"(st|street|rd|road|ave|avenue|pde|parade|cres|crescent|dr|drive|hwy|highway|ln|lane|pl|place)"
)
HOME_TO_SEE = rf"\b(do|see|view|try) \d+[a-z]? [a-z]+( [a-z]+)? {_STREET_KINDS}\b"
"""A home named to see ("can u do 65 george st fri 10am"): a booking of it."""
SCRATCHED = r"\b(scrap|scratch) the [\w' ]{1,30} one\b"
"""A booking called off by its home ("scratch the Dee Why one"): never a move nor a preference."""
RATE_SAID = (
    r"\b(at|get|got|of|on|with) (\d\.\d{1,2}|(one|two|three|four|five|six|seven|eight|nine|ten) point"
    r" (oh|zero|one|two|three|four|five|six|seven|eight|nine)\w*)\b(?!\s*(m\b|mil|million|k\b|thousand))"
)
"""A rate said as a bare decimal ("what's it at five point nine?"): a price has its unit."""

LOAN_SAID = (
    r"\b(mortgage|repay\w*|pay\w*|loan|month\w*|week\w*|fortnight\w*|interest|rates?|deposit|down"
    r"|financ\w*|borrow\w*|lend\w*|numbers|figures|years?|yrs?|cost\w*|afford\w*|set (me|us) back"
    r"|sav(e|ed|ing|ings)|what if|instead|principal|lvr)\b|%|\bper ?cent\b|\d ?(years?|yrs?)\b"
    r"|\bover (\d+|ten|fifteen|twenty|thirty|forty)|^\W*(ok(ay)?\W+)?(and|so|but) (on|for|at|with|if)\b"
    r"|" + RATE_SAID
)
"""Words of a loan's cost (or of "what if" about one): without any, a sentence is no repayment
question, however near its embedding ("my accountant says I can go a bit higher, up to 1.05
million. Anything more now?" is a budget)."""
ONE_AT_A_TIME = (
    r"(\b(that|this|the [\w' ]{1,25}?|number (one|two|three|four|\d)) one\b|\bthe one (in|on|at|you)\b"
    rf"|\b\d+[a-z]? [a-z]+( [a-z]+)? {_STREET_KINDS}\b)"
    rf".{{0,40}}?\b{DAY_NAME}\w*\W+(at )?({_CLOCK}\b|midday|noon|lunchtime|(half|quarter) (past |to )?\w+)"
)
"""A home pointed at, then a day and a time: "Yep, that one. Saturday, 12:30?", "the first one,
Saturday, eleven thirty?", "The one in Queen Street. Saturday, ten o'clock, is okay?", "the
hill st one!! sat 1pm?", "a look at 57 Edward Street, Maroubra, Tuesday, half four?" is a
booking of it."""
PRICE_ONLY = r"^(?!.*\b(book\w*|see|view\w*|inspect\w*|visit|move|resched\w*|push|shift|time)\b).*\b(price|asking|how much)\b"
"""A price asked, no viewing: "wait wats the price again" after a booking is about the home."""
ONE_OF_THEM_ASKED = (
    r"\b(first|second|third|fourth|fifth|last|other|cheaper|cheapest) one\W+(and )?(how many )?"
    r"(bed(room)?s|bath(room)?s|price|size|parking|car ?spaces?)\W*\?"
)
"""One home read out asked about in a word: "Second one. Bedrooms?"."""
REPEAT_ASKED = r"\b(repeat|read|say|give) (me )?(the|that) (time|day|date|address)( back)?\b"
"""What is booked asked again ("would you repeat the time back to me?"): no move."""
LATER_ASKED = (
    r"\bmore (late|early)\b|\b(can|could) (it |we )?(be|make it|do it) (a bit |a little )?(later|earlier)\b"
)
"""A booking asked to move ("can be more late?"): never a new one, nor a recap."""
SHIFT = r"(?<!my )(?<!work )(?<!a )(?<!the )shift(?! (starts|finishes|ends))"
"""To shift a viewing; not the caller's work shift ("sun 7am? before my shift")."""

TRIAGE = "Triage"
ESCALATION = "Escalation"

PROPERTY_SEARCH = AgentSpec(
    name="Property Search",
    description="Finding homes for sale, shortlisting them, and noting budget, bedrooms and suburbs.",
    instructions=(
        "You help the caller find a home. Search listings with search_properties (never invent a"
        " listing or a price), shortlist what they like, and record their budget, bedrooms and"
        " suburbs with update_preferences. Hand back to Triage for anything else."
    ),
    examples=(
        "I'm looking to buy a house",
        "show me what's for sale",
        "any apartments available",
        "find me a three bedroom home",
        "what homes do you have under 900k",
        "I want to buy in Bondi",
        "my budget has changed",
        "we need more bedrooms now",
        "I'm after a place near the beach",
        "can you find something cheaper",
        "add that one to my shortlist",
        "we're not looking in Manly any more",
    ),
    skills=(
        Skill(
            listings.search_properties,
            (
                "show me houses in Bondi",
                "what's for sale under 1.2 million",
                "find me a 3 bedroom place",
                "any homes in Coogee",
                "search for apartments with two bedrooms",
                "what have you got listed",
                "show me properties in my budget",
                "anything cheaper than that",
                "homes for sale near Manly",
                "I want to see listings",
                "list houses with four bedrooms under 2 million",
                "widen the search",
                "what else is there?",
                "can you broaden it a bit",
                "show me more options",
                "widen it again",
                "have a look nearby",
                "what about the suburbs around it?",
                # Returning callers pick up where they left off: a search, not a recap.
                "has anything new come on the market since I last called?",
                "any new listings since we spoke last week?",
                "following up on the Randwick places from my last call",
                "we talked about Coogee last time, what's there now?",
                "I was on the chat before, about Bondi?",
                "what were those Coogee ones you found me?",
                "remind me what I was looking at last time",
                # Criteria in a row, then "what do you think?": still a search.
                "Manly, two bedrooms, under 1.5 million, what do you think?",
                "Randwick, 4 bed, up to 3 mil. What have you got?",
                # The search of an earlier call, run again.
                "could you do the same search as last time?",
                "run that search again for me, the one from my call",
                # Typed in bursts, one criterion a line: each narrows the search.
                "2br unit",
                "4 bed house?",
                "under 1.5m",
            ),
            listings.reply_search,
            readers={
                "min_bedrooms": listings.read_min_bedrooms,
                "max_bedrooms": listings.read_max_bedrooms,
                "earlier": listings.read_earlier,
                "also": listings.read_also,
                "cheapest": listings.read_cheapest,
                "street": resolve.read_street,
                "suburb": resolve.read_suburbs,
            },
            cues=(
                r"\b(for sale|listings?|listed|on the market|available|up for grabs|on offer|what comes up)\b",
                r"\b(widen|broaden|what else|anything else|more options|other options|expand the search)\b",
                r"\b(nearby|close by|surrounding|neighbou?ring|(suburbs?|areas?) (around|near|close|next))\b",
                r"\b(anything|what\'?s (up|on|going|around|out there)|show me|pull up|look up|find (me|us))\b",
                r"\b(what does|does) (that|it|this) open (\w+ )?up\b|\bopens? up\W*$",  # a new budget's homes
                # "ok book the cheapest of the 3 for fri 10am": a booking of one read out
                r"!!^\W*(?:(?:ok(?:ay)?|so|yes|yep|great|righto|right|and|then)\W+)*(?:(?:can|could) (?:i|we|you) )?"
                r"book (?:the|it|that|number|me|us)\b",
                r"!!\b(can|could) you book (it|that|this)\b|\bbooking (on behalf|for (my|our))\b",  # "…, can you book that."
                r"\b(search|check|run me through|what (have|\'ve) you got|got any)\b",
                r"!\b(my|our) (search|criteria|list)\b",
                "!!" + ASKED_BEFORE,
                "!!" + BOOKED_DAY_CHECKED,
                "!!" + BOOKING_ASKED,
                r"!!\b(monthly|repayments?|mortgage|lvr)\b|\b(ran|run|did|do|crunch\w*) the (numbers|figures)\b",  # a loan's cost
                r"!!\b(scrap|scratch|cancel|call off)\b|" + UNWANTED,  # undoes something, asks for nothing
                "!!" + LIST_ASKED,
                "!!" + ONE_AT_A_TIME,  # a home, a day and a time: a booking of it
                "!!" + ONE_OF_THEM_ASKED,
                r"\b(ones?|homes?|places?|houses?|listings?|propert(y|ies)) (that )?you (found|showed|had|sent)\b|\b(on the (chat|phone)|rang|called) (before|earlier)\b",
                r"\b(same|that|the) search\b.*\b(again|before|earlier|phone|chat|last time)\b|\bsame search\b",
            ),
        ),
        Skill(
            listings.shortlist_property,
            (
                "I like the second one",
                "add the first one to my shortlist",
                "save that property",
                "put 12 Ocean St on my list",
                "I'm interested in that one",
                "the last one looks good",
                "keep the third one for me",
                "shortlist it",
            ),
            listings.reply_shortlist,
            cues=(
                r"\b(shortlist|save|keep|put (it|that)|add (it|that|the)|(on|to) my list|keen|i like)\b",
                r"\b(interested in (that|the|it)|track of|favourite|i\'ll take(?! (over|it from|the phone|a (look|squiz|peek)))|love (that|the))\b",
                r"\b(hold|hang) on ?to (it|that|this|the)\b",
                r"!\b(viewing|inspection|inspect|open home)\b",
                r"!!\bbook(ing)?\b",  # "the cheapest of them, book that one for sat 3pm" is a booking
                r"!!\bmake (it|that) (at )?(\d{1,2}|one|two|three|four|five|six|ten|eleven|twelve)\b",  # a time
                "!!" + ONE_AT_A_TIME,  # "put me down for that one Saturday, half two": a booking
                r"!!\bagain\b",  # "read me that one again" asks to hear it, not to keep it
                r"!!\b(cancel|scrap|scratch|call off)\b",  # "scrap the Paddington one" keeps nothing
                "!!" + UNWANTED,
                "!!" + LIST_ASKED,
                "!!" + BOOKED_DAY_CHECKED,
                "!!" + BOOKING_ASKED,
            ),
            side_effect=True,
        ),
        Skill(
            listings.remove_from_shortlist,
            (
                "take the second one off my shortlist",
                "I'm not interested in that one any more",
                "remove 12 Ocean St from my list",
                "cross the first one off",
                "we've gone off the Coogee house",
                "forget the last one, we're not keen on it now",
            ),
            listings.reply_removed,
            # "scrap the Bondi one" is a viewing cancelled, unless it is said of the list
            cues=(
                UNWANTED,
                r"!!\b(cancel|call off)\b|\b(scrap|scratch)\b(?!.*\b(short ?)?list\b)",
                "!!" + LIST_ASKED,
            ),
            confirm=listings.confirm_removal,
            side_effect=True,
        ),
        Skill(
            listings.property_details,
            (
                "tell me more about the first one",
                "what's the second one like",
                "how many bathrooms does it have",
                "more details on 12 Ocean St please",
                "is the one in Coogee a house or an apartment",
                "what can you tell me about the one on King Street",
                "describe the third one",
                "how big is that place",
                "is the house on Banksia Street one of yours?",
                "I saw a for sale sign on Smith Road, is that your listing?",
                "what's the one in Bondi like?",
                "and the one in Glebe, what's that one like?",
                "how much are they asking for it?",
                "what's the first one going for?",
                "sorry, can you read me the second one again?",
                "what was that Coogee one again? I missed it",
            ),
            listings.reply_details,
            cues=(
                r"\b(asking( price)?|going for|price (of|on|for) (it|that|this|the (first|second|third|last|\w+ one)))\b",
                r"\b(tell me (a bit )?(more )?about (the|that|it|this)|more (info|information|details)|details (on|of|about))\b",
                r"\b(what\'?s (it|that one|the \w+ one) like|how many bath\w*|bathrooms?|how big|describe)\b",
                ONE_OF_THEM_ASKED,
                r"\bhow many \w+ (has|does) (it|that|this)( one| place)? (got|have)\b",  # of the one discussed
                r"\bthe (one|place|house|home|unit|apartment|flat|terrace) (in|on|at)\b",
                r"\b(one of yours|your (listing|sign)|(for sale|agency|real estate) sign|sign (on|out))\b",
                r"\b(still (for sale|available|on the market)|(been|already) sold|sold yet)\b",
                ASKED_BEFORE,
                r"\bwhat was (the|its) (asking )?price again\b",
                r"\bhow much (is|was|\'s) the [\w ]{1,30} one\b",  # "how much is the victoria rd one?"
                r"!\b(book|inspect|inspection|viewing)\b",  # to see it, not to hear about it
                r"!!\bfree\b.*\b(mon|tue|wed|thu|fri|sat|sun)\w*\b.*\d",  # a slot asked about
                "!!" + ONE_AT_A_TIME,  # a time to see it
                r"!!\b(scrap|scratch|cancel|call off)\b|" + UNWANTED,  # asks nothing about it
                "!!" + LIST_ASKED,
                r"\b(read|say|give) (me|us|that|it|the)\b.*\bagain\b|\bwhat was (that|the) .{0,25}\bagain\b",
                "!!" + BOOKED_DAY_CHECKED,
                "!!" + BOOKING_ASKED,
                r"!!\bsame (deposit|rate|term|terms|loan)\b",  # the last repayments on another home
            ),
        ),
        Skill(
            listings.send_details,
            (
                "can you email me those listings?",
                "send the details to my email, it's sam@example.com",
                "could you send me the info on the second one",
                "email me the first one please",
                "can I get those sent through to my inbox",
            ),
            listings.reply_send,
            readers={"property": resolve.read_pointed},
            cues=(
                r"\b(e-?mail|send|sent|forward|inbox)\b",
                # Something emailed to them ("the bank's just emailed"), nothing asked to be sent
                r"!!^(?!.*\b(send|sent|forward|e-?mail (me|us|it|them|those|that))\b).*\bemailed\b",
                # Nothing asked to be sent ("my friend's number is…, she said to call you").
                r"!!^(?!.*\b(e-?mail|send|sent|forward|inbox|@)).*$",
            ),
        ),
        Skill(
            preferences.update_preferences,
            (
                "my budget is 850k",
                "we can spend up to 1.2 million",
                "actually our budget is now 950 thousand",
                "we need three bedrooms",
                "we'd like to live in Bondi",
                "I want 2 bedrooms",
                "our price range went up to a million",
                "note that we want four bedrooms",
                "we're also interested in Coogee",
                "change my budget to 700,000",
                "can we bump it up to 1.6 million",
                "push the budget out to two point two",
                "bring it down to one point nine four",
            ),
            preferences.reply_preferences,
            readers={
                "suburb": resolve.read_suburbs,
                "bedrooms": listings.read_wanted_bedrooms,
                "max_bedrooms": listings.read_max_bedrooms,
                "earlier": listings.read_earlier,
                "also": listings.read_also,
            },
            cues=(
                r"\b(budget|price range|(pre-?)?approved (for|to|up to)|pre-?approved|working with|can spend"
                r"|can go up to|max(imum)? of)\b",
                r"!!\bbudget(ing)? (apps?|spreadsheets?|tools?)\b",  # "one of those budget apps": how often
                # "bring it down to one point nine four": the budget moved (a time moved is vetoed below)
                r"\b(bring|take|knock|bump|push|drop) (it|that|the (price|max\w*|limit|top( end)?)) (down|up|out) to\b"
                r"(?!.*(?<![a-z])(am|pm|o'?clock|noon|morning|arvo|afternoon|evening)\b)",
                "!!" + BOOKED_DAY_CHECKED,
                "!!" + BOOKING_ASKED,
                r"\b(also (consider|like|keen)|too|as well|into the mix|include|on our list|add)\b",
                r"\b(we (need|want)|only need|update|note (that|down)|it\'s (really|actually)|instead of)\b",
                "!!" + CLOCK_SWAP,
                "!!" + SCRATCHED,
                r"!\b(what\'?s|anything|what comes up|pull up|look up|show me|have i|did i|remind me)\b",
                r"!\?\s*$",
                r"!!^\W*(and )?(what about )?(the|my) (budget|bedrooms|suburbs?)\W*\?",  # asks what we hold
                r"!!\bwhat('?s| is| was| were) (my|our) (budget|price range|bedrooms|suburbs?)\b.*\?",
                # "look nearby then. Same budget, still two bedrooms.": the search widened, nothing new kept
                r"!!\b(look|search|try|check) (nearby|around|close by)\b|\b(widen|broaden)\b",
            ),
            then=preferences.search_next,
            side_effect=True,
        ),
        Skill(
            preferences.drop_suburb,
            (
                "we're no longer looking in Bondi",
                "take Manly off my list",
                "forget Coogee",
                "we don't want Newtown any more",
                "remove Paddington from my suburbs",
            ),
            preferences.reply_drop,
            readers={"instead": preferences.read_instead},
            cues=(
                r"\b(no longer|not (looking|interested)|any ?more|remove|take .{1,20} (off|out)|cross .{0,20}off)\b",
                r"\bnot \w+(?: \w+)?,? (but|rather)\b",
                r"\b(forget|drop|rule out|scratch|strike|off the table|\'s out|stop sending|no more)\b",
                r"\b(don\'t|do not) (show|send) (me|us)\b",
                # Suburbs, never bookings: "take me off the list for the open home" cancels.
                r"!\b(viewing|inspection|open home|booking|appointment)s?\b",
                # A booking or a home is cancelled or scrapped, never a suburb ("scrap the Paddington
                # one", "cancel the Bondi one", "scrap it altogether").
                r"!!\b(cancel|call off)\b|\b(scrap|scratch|drop) (it|that|them)\b|\bthe [\w']+( [\w']+)? one\b",
                r"!\b(widen|broaden|what else)\b",
                "!!" + BOOKING_ASKED,
                "!!" + BOOKED_DAY_CHECKED,
                "!!" + DAY_PUT_RIGHT,
                # "What about Maroubra instead?" looks there; it takes nothing off.
                r"!!^(?!.*\b(not|no longer|forget|drop|remove|rule out|scratch|off)\b|.*n't\b).*\b(what|how) about\b",
                # Picking up an earlier conversation about a suburb keeps it.
                r"!!\b((were|was) (chatting|talking|speaking)|spoke|talked|chatted) about\b|\bfollowing up\b",
                # A word or two with nothing taken off ("dee why", "newtown?"): a place to look in.
                r"!!^(?!.*\b(no|not|forget|drop|remove|scratch|scrap|ditch|nix|skip|cut|lose|bin|cross|off|out|longer|more|rule|without)\b|.*n't\b)\W*(\w+\W*){1,2}$",
            ),
            then=preferences.search_instead,
            side_effect=True,
            confirm=lambda args: (
                f"Just to check: shall I take {args.get('suburb') or 'that suburb'} off your list?"
            ),
        ),
    ),
)

SUBURBS = AgentSpec(
    name="Suburb Intelligence",
    description="What a suburb is like: what is for sale there and at what prices.",
    instructions=(
        "You describe suburbs from the listings in the graph only: how many homes are for sale and"
        " their prices. Never guess. Hand back to Triage for anything else."
    ),
    examples=(
        "what's Bondi like",
        "tell me about the suburb",
        "is Coogee expensive",
        "what are prices like in Manly",
        "how's the market in Newtown",
        "median price in Randwick",
        "which area is cheaper",
        "is Glebe a good area",
    ),
    skills=(
        Skill(
            listings.suburb_profile,
            (
                "what are prices like in Bondi",
                "tell me about Coogee",
                "how many homes for sale in Manly",
                "what's the median price in Newtown",
                "is Paddington pricey",
                "what's the market like in Glebe",
                "describe Randwick for me",
            ),
            listings.reply_suburb,
            cues=(
                r"\b(like|worth|vibe|lowdown|rundown|median|expensive|pricey|cheap|area|suburb|neighbourhood)\b",
                r"\b(how many|stock|usually (go|sell)|set me back|ballpark|quiet|busy|safe|family.friendly)\b",
                r"!!\bthe (one|place|house|home|unit|apartment|flat|terrace) (in|on|at)\b",
                "!!" + ASKED_BEFORE,
                r"!!\bthe (big|bigger|biggest|small|smaller|smallest|cheap|cheaper|cheapest|dearer|dearest) one\b",
                r"!!\b(monthly|repayments?|mortgage|per month|a month)\b",  # a loan's cost, not the area's
                r"!!\b(\d+[a-z]?|on|at)\s+(\w+\s+){1,2}(street|st|road|rd|avenue|ave|parade|pde|crescent|cres|highway|hwy)\b",
                # A size and a ceiling together are a search ("Neutral Bay, three bedrooms, up to 2.5").
                r"!!^(?=.*\bbed)(?=.*\b(up to|under|below|less than|max(imum)?|budget|tops)\b)",
            ),
        ),
    ),
)

MORTGAGE = AgentSpec(
    name="Mortgage",
    description="Home loans: monthly repayments, deposits, interest rates.",
    instructions=(
        "You answer home-loan questions with mortgage_repayment; repayments are computed, never"
        " guessed. You are not a financial adviser. Hand back to Triage for anything else."
    ),
    examples=(
        "what would my repayments be",
        "how much is the mortgage on that",
        "can I afford the loan",
        "what's the monthly payment",
        "home loan question",
        "I need finance",
        "what interest rate do you assume",
        "how big a deposit do I need",
    ),
    skills=(
        Skill(
            mortgage.mortgage_repayment,
            (
                "what are the repayments on 900k",
                "monthly payment with a 200k deposit",
                "how much a month at 6 percent over 25 years",
                "what would the mortgage be on that one",
                "calculate repayments for 1.1 million",
                "what's the monthly cost of the loan",
                "how much would I pay each month",
                "what would the monthly be on 12 Ocean St in Bondi?",
                "what are the repayments on 5 Bay Street in Coogee",
                "how much a month would the one on King Street in Glebe cost us",
                "righto, and over twenty years?",
                "you ran the numbers for me last time, can you do them again with 600 grand down?",
            ),
            mortgage.reply_mortgage,
            alone={"deposit_percent": "{n}% down", "years": "over {n} years"},
            readers={
                "property": resolve.read_pointed,
                "loan": mortgage.read_loan,
                "rate_change": mortgage.read_rate_change,
                "frequency": mortgage.read_frequency,
                "income": mortgage.read_income,
                "price": mortgage.read_price,
            },
            cues=(
                r"\b(mortgage|repay\w*|pay(ing)? back|loan|monthly|per month|a month|each month|interest|rate)\b",
                r"^\W*(and|so|what about|how about|ok(ay)?)?\W*(weekly|fortnightly|per (week|fortnight))\b",
                r"\b(deposit|\d+k? down|put down|finance|borrow|(grand|thousand|mil) down|lvr)\b",
                r"\b(ran|run|running|crunch(ed)?|did|do|work(ed)? out) the (numbers|figures)\b",
                r"\d (%|per ?cent)|\b\d+ ?(years?|yrs?)\b",  # a rate or a term: "at 6 percent over 25 years"
                RATE_SAID,
                r"!!\b(half|quarter) (past|to)\b|\bo'?clock\b",  # a time of day: a viewing's, never a loan's
                r"\bover (ten|fifteen|twenty|twenty[- ]five|thirty|forty)( years?| yrs?)?\W*$",  # "and over twenty?"
                r"\bover (ten|fifteen|twenty|twenty[- ]five|thirty|forty) (years?|yrs?)\b",
                rf"!!^(?!.*({LOAN_SAID})).*$",
            ),
        ),
    ),
)

VIEWINGS = AgentSpec(
    name="Viewing Scheduler",
    description="Booking, moving and cancelling property viewings and inspections.",
    instructions=(
        "You book, reschedule and cancel viewings. A slot is booked only through book_viewing; never"
        " promise a time it did not confirm. Hand back to Triage for anything else."
    ),
    examples=(
        "I'd like to see the house",
        "can I book an inspection",
        "arrange a viewing for me",
        "I need to move my viewing",
        "cancel my inspection",
        "when can I look at it",
        "book me in to see it",
        "open home times",
    ),
    skills=(
        Skill(
            viewings.book_viewing,
            (
                "book a viewing for Saturday at 10",
                "can I see it tomorrow afternoon",
                "I'd like to inspect 12 Ocean St on Friday",
                "book me in for next Tuesday at 3pm",
                "schedule an inspection of the second one on Sunday morning",
                "let's see it this weekend",
                "could I have a look at 12 Ocean St at 6 tonight after work?",
                "is the Coogee one free on Saturday at 10?",
                "is 12 Ocean St available Sunday 2pm? I'd love to have a look",
            ),
            viewings.reply_book,
            cues=(
                r"\b(free|available|open|any good)\b.*\b(mon|tues?|wed|thu(rs)?|fri|sat|sun)\w*\b.*\d"
                r"|\b(free|available)\b.*\d ?[ap]\.?m\b",
                r"\b(book(ing)?|inspect|inspection|viewing|view|see (it|the|that|this|\d+)|look (at|through)|walk through)\b",
                r"\b(go through|open home|visit|lock in|schedule|come (and|to) see|put (me|us) down for)\b",
                r"\bwhile (i'?m|we'?re) (in the area|there|out that way)\b",  # one more booked nearby
                HOME_TO_SEE,
                ONE_AT_A_TIME,
                rf"!\b(reschedule|move|change|push|{SHIFT}|bump|rebook|bring\b.{{0,30}}\bforward|instead|cancel)\b",
                r"!\b(call off|pull out|scrap|scratch|can\'t make|my (viewing|inspection|booking|appointment))\b",
                rf"!\b{DAY_NAME}\w*'?s (viewing|inspection|booking|appointment)\b",  # "Monday's viewing": one booked
                rf"!!\b(is|was) (my|our) {DAY_NAME}\w* (viewing|inspection|booking|appointment)\b",  # asked, not booked
                "!!" + LATER_ASKED,
                r"!\b(i'?ve|we'?ve|i have|we have) got an? (viewing|inspection|booking)\b",
                r"!!\b(cancel|scrap|scratch|call off)\b(?!.*\b(book|rebook)\b)",  # one booked, called off
                r"!!\bwhat(\'?s| is| was) the time\b|\bwhat time (is|was) (it|my|the)\b",  # asks after one booked
                "!!" + PRICE_ONLY,
                "!!" + BOOKED_DAY_CHECKED,
                "!!" + BOOKING_ASKED,
            ),
            side_effect=True,
        ),
        Skill(
            viewings.reschedule_viewing,
            (
                "move my viewing to Sunday",
                "can we change the inspection to 2pm",
                "reschedule to next Monday",
                "push the viewing back to Thursday",
                "I need a different time for my viewing",
                "actually make it 11 instead",
                "could we do it an hour later?",
                "can we make it half an hour earlier",
                "could we make it 4 instead of 2?",
                "can you change that to eleven rather than ten",
            ),
            viewings.reply_reschedule,
            readers={"reference": viewings.read_booking, "when": viewings.read_new_time},
            cues=(
                rf"\b(reschedule|move|change|push|{SHIFT}|bump|bring\b.{{0,30}}\bforward|rebook|instead)\b",
                r"\b(different (day|time)|another (day|time))\b",
                r"\bmake (it|that) (at )?(\d{1,2}(:\d\d)? ?[ap]\.?m\b|noon|midday)[^.?!]{0,12}\bsame day\b",  # "make it 2pm same day"
                r"\b(hours?|minutes?|mins?) (later|earlier|sooner)\b|\b(later|earlier) (by|that day|on)\b",
                r"\ba (bit|little|touch) (later|earlier)\b|\bmore (late|early)\b",  # "can be more late?"
                rf"\b{DAY_NAME}\w*(\'s| is) (no good|not good|out)\b|\bsame time,? (on )?{DAY_NAME}",  # "… same time Thursday?"
                DAY_PUT_RIGHT,
                r"\b(make it|make that|do it|can we do|could we do) (at )?((half|quarter) (past|to) )?(\d{1,2}|one|two|three|four|five|ten|eleven|twelve)\b(?! ?(bed|br\b|k\b|mil|million|hundred|thousand|and a half|point))",
                "!!" + BOOKED_DAY_CHECKED,  # checking the time it is at moves nothing
                "!!" + REPEAT_ASKED,
                "!!" + PRICE_ONLY,
                r"!!\bbook (me|us) (in(to)?|for|at)\b",  # "book me into 92 Pacific Hwy instead": a new one
                "!!" + HOME_TO_SEE,  # "can u do 65 george st coogee fri 10am instead": a new booking
                "!!" + SCRATCHED,
                # "cancel the ten o'clock on Saturday, but keep the other one": called off, not moved
                r"!!\bcancel\b(?!.*\b(instead|move|moving|make it|rebook|push|shift|change)\b)",
                r"!!\b(percent|per cent|deposit|repayments?|mortgage|loan)\b|%",  # "20% down instead of 10"
                "!!" + BOOKING_ASKED,
            ),
            side_effect=True,
        ),
        Skill(
            viewings.cancel_viewing,
            (
                "cancel my viewing",
                "I can't make the inspection",
                "please cancel the booking",
                "call off Saturday's viewing",
                "we won't be coming to the open home",
            ),
            viewings.reply_cancel,
            readers={"reference": viewings.read_booking},
            cues=(
                r"\b(cancel|call off|scrap|scratch|pull out|won\'t (be|make)|not (coming|going ahead)|bought elsewhere)\b",
                r"\b(altogether|at all|entirely)\b",
                r"\bcan\'t make\b(?!.*\b(instead|how about|is .* ok)\b)",
                # "can i see it sat": to see it, never to call it off
                r"!!^(?!.*\b(cancel|call off|scrap|scratch|pull out)\b).*\b(can|could|may) (i|we) (come and )?(see|view|inspect|have a look|look at)\b",
                r"\b(take|remove) (me|us|my name) (off|from)\b",
                r"!!\b(pre-?)?approved (for|to|up to)\b",  # a budget said: "we've been approved for 2.5"
                r"\b(won\'t|don\'t|do not|no longer) need (the|that|my|our|to see)\b",
                # "Is it still on?" asks after a booking; it does not call it off.
                r"!!\bstill (on|going ahead|happening|booked|set)\b(?!.*\b(cancel|call (it )?off)\b)",
                "!!" + BOOKING_ASKED,
                r"!!\bbooking (on behalf|for (my|our))\b(?!.*\b(cancel|call (it )?off)\b)",  # a booking made
                r"!!\b(price|asking|how much|cost)\b(?!.*\b(cancel|call (it )?off)\b)",  # "wait wats the price again"
            ),
            side_effect=True,
            confirm=lambda args: "Just to check: would you like me to cancel your viewing?",
        ),
    ),
)

SELLERS = AgentSpec(
    name="Seller Intake",
    description="Callers who want to sell their home or get it appraised.",
    instructions="You take sellers' details and arrange an appraisal. Hand back to Triage for anything else.",
    examples=(
        "I want to sell my house",
        "how much is my home worth",
        "can you appraise my place",
        "we're thinking of selling",
        "I'd like to list my apartment",
        "what would my unit sell for",
    ),
    skills=(
        Skill(
            appraisal.request_appraisal,
            (
                "appraise 5 Smith St please",
                "I want to sell 22 Park Rd next year",
                "book an appraisal for my house",
                "value my home at 9 Hill Ave",
            ),
            appraisal.reply_appraisal,
            cues=(
                r"\b(sell|selling|appraise|appraisal|valu(e|ation)|worth|fetch|list (our|my)|offload|downsiz)\w*",
                r"\b(has to go|price on my|on the market ourselves)\b",
                r"\bput(ting)? (\w+ ){0,3}(on the market|up for sale)\b",
                r"!!\b(asking price|interested in (the|that|this|a)|what are they asking)\b",  # a buyer's words
                r"!!\bdo (you|u|ya)( lot| guys| folks)? sell\b",  # what the agency sells, nothing of theirs
                # a viewing: "I'd like to see the one bedroom flat at …", not "see what it's worth"
                r"!!\b(like to|can i|could i|may i|want to|wanna) (see|view|inspect|look at|have a look at)"
                r" (the|that|this|it|\d+)\b(?! (value|price|worth))",
                # Selling is why they buy ("I'm selling the family home and I'd like a two bedroom
                # unit in Glebe. I can't spend more than 900k"): what they ask for is the next home.
                r"!!\b(can\'?t spend|can spend|spend (up to|more than|no more)|pre-?approv\w*)\b"
                r"|\b(like|want|need|after|looking for) (a|an) (\w+ )?(one|two|three|four|five|\d)[- ]?bed",
                r"!!\b(scrap|scratch|cancel|call off)\b",
                r"!!\b(still (for sale|available|on the market)|(been|already) sold|sold yet)\b",
            ),
            side_effect=True,
        ),
    ),
)

HUMAN = AgentSpec(
    name=ESCALATION,
    description="A person: complaints, anything urgent or sensitive, or a caller who asks for a human.",
    instructions="You hand the caller to a person with escalate_to_human and a clear reason.",
    examples=(
        "let me speak to a real person",
        "I want to talk to an agent",
        "this is useless, get me a human",
        "I have a complaint",
        "can someone call me back",
        "put me through to the office",
        "I need to speak to the manager",
        "transfer me please",
    ),
    skills=(
        Skill(
            people.escalate_to_human,
            (
                "get me a person",
                "I want a human",
                "connect me to someone",
                "I'd like to make a complaint",
                "transfer me to your team",
                "can you put me through to Sarah? she's the agent on the King Street place",
                "is there an actual human I could chat to? I have questions about the body corporate",
                "I've got a few questions about the contract, can I talk to a real person",
                "could I chat with a live person about the building report",
                "I rent a place you manage and the hot water's stopped working",
                "the toilet in our rental is blocked, who do I talk to?",
            ),
            people.reply_escalation,
            cues=(
                r"\b(human|person|agent|manager|operator|complain\w*|frustrat\w*)\b",
                # Someone to speak to; not "you might have someone else down for this number".
                r"\b(speak|talk|chat|through|connect me|get me|want|need) (to |with )?someone\b",
                r"\b(ring (me )?back|call (me )?back|not understanding|speak to|talk to|useless)\b",
                r"\b(bot|robot|machine|hopeless|rude|(round|around) in circles|put me through|transfer me)\b",
                r"\b(real|actual|live) (person|human|people)\b",
                # A repair at a home we manage: for the property managers, not the sales line.
                r"\b(leak\w*|drip\w*|burst|blocked|broken|repairs?|maintenance|plumber|electrician|locked out)\b"
                r"|\bhot water\b",
                # Declining a person is no request for one.
                r"!!\b(don'?t|do not|no need to|won'?t) (need|want|have) to (speak|talk)"
                r"|\b(don'?t|do not) (need|want) (a|an|to speak to|to talk to) (person|human|anyone|someone|agent)",
            ),
            side_effect=True,
            # Only a caller who asks is put through: a garbled or off-topic turn that merely looks
            # like frustration gets a question, not a transfer it cannot take back.
            confirm=lambda args: (
                "Sorry, I didn't quite catch that. Would you like me to put you through to one of our team?"
            ),
        ),
    ),
)

ROOT = AgentSpec(
    name=TRIAGE,
    description="Understands what the caller wants and hands off to the right specialist.",
    instructions=(
        "You are the front desk of a real-estate agency. Work out what the caller wants and hand off"
        " to the specialist who does it, with the intent, the values you heard and the facts you"
        " relied on. Answer questions about what we know of the caller with caller_summary. When a"
        " tool asks to check who the caller is, check the digits or email they give with verify_identity."
    ),
    skills=(
        Skill(
            preferences.caller_summary,
            (
                "what do you know about me",
                "do you have my details",
                "what's my budget again",
                "remind me what I'm looking for",
                "what viewings do I have",
                "what have I told you",
                "what time is my viewing again?",
                "just making sure the Coogee one's at ten now",
            ),
            preferences.reply_summary,
            readers={
                "viewings": preferences.read_viewings_asked,
                "references": preferences.read_references_asked,
            },
            cues=(
                r"\b(my (details|preferences|criteria|search|next|viewings?|inspections?|current))\b",
                LIST_ASKED,
                r"\b(do i have|have i got|what time (is|was) (it|my|the)|the time (of|on|for) (my|the|it))\b",
                # A need said as a statement: "I have lost the time I was given", "I forgot when it is"
                r"\b(lost|forgot(ten)?|can\'?t remember|don\'?t remember|misplaced|not sure of)\b"
                r"[\w ,']{0,30}\b(the time|what time|which day|the day|when|the reference|my reference)\b",
                # Asked by someone beside the caller ("what time did he say?", "which house was it?")
                r"\bwhat (time|day) did (he|she|they|you) (say|book|make it)\b"
                r"|\bwhich (house|home|place|property|one) (was|is) (it|that)( again)?\W*$",
                r"^\W*(and )?(what about )?(the|my) (budget|bedrooms|suburbs?)\W*$",
                r"\bagain\?|\bremember me\b|\bwhat am i (after|looking for)\b|\bam i (currently )?looking\b",
                r"\b(hold|have|got|saved|kept|keep) (on|for) me\b|\b(i'?ve|have i) booked\b",
                r"\bmy (phone|number|email|shortlist|saved|booking|appointment|reference)\b",
                r"\b(remind me|recap|read back|what (have|did) (i|we)|have i|did i|i said|i told you)\b",
                r"\b(what do you know|on file|so far|have me down|what\'s my|check what)\b",
                BOOKED_DAY_CHECKED,
                BOOKING_ASKED,
                rf"\b(is|was) (my|our) {DAY_NAME}\w* (viewing|inspection|booking|appointment)\b",  # "at four or four thirty?"
                r"\b(still (on|going ahead|happening|booked)|confirm(ing)? (my|the|our))\b",
                REPEAT_ASKED,
                r"!!\b(free|available)\b.*\b(mon|tue|wed|thu|fri|sat|sun)\w*\b",  # a slot asked about
                r"!\b(really|actually|change|update|instead|now)\b",
                r"!\b\d{1,2}[:.]\d\d\b|\b\d{1,2} ?[ap]\.?m\b|\btonight\b",  # a time asked for: a booking
                # What is new since, or a listing of ours: about homes, not what we hold on them.
                r"!!\b(anything new|new listings?|come up|come on the market|one of yours|your (listing|sign))\b",
                r"!!\bwhat else (is there|is out there|have you got|(do )?you (got|have)|can you (find|show))\b",
                r"!!\b(same|that|the) search\b",  # run again, not read back
                r"!!\b(pre-?)?approved (for|to|up to)\b",  # a budget said, not one asked after
                r"!!\b(ones?|homes?|places?|houses?|listings?|propert(y|ies)) (that )?you (found|showed|had|sent)\b",
                r"!!\bwhat (was|were) (i|we) looking at\b",  # the homes, not the criteria
                r"!!\bwith [\w ]{1,25} (down|deposit)\b",  # "same as last time, but with 600 grand down": worked out
                "!!" + RATE_SAID,  # "the bank's come back with five point nine, everything else the same"
                r"!!\b(what|how much) (are |is )?(they\'?re|they are|they) asking\b",  # the price of a home
                r"!!\b(no good|can\'?t make (it|that)|doesn\'?t (work|suit))\b",  # a booking to move, not a recap
                "!!" + LATER_ASKED,
                "!!" + ONE_AT_A_TIME,  # "the first one, Saturday, eleven thirty?": a booking
                # A booking asked for ("book me in for …", "I'm booking on behalf of my brother"): not a recap
                r"!!\bbook (me|us)( in)?\b|\bput (me|us) down for\b|\b(can|could) you book (it|that|this|me|us)\b|\bbooking (on behalf|for (my|our))\b",
                # "the budget's now two point seven, what have you got?", "the bank's bumped our
                # pre-approval up to 2.9, what does that open up?": a search on the new budget
                r"!!(?=.*\b(budget|price range|pre-?approv\w*)\b)(?=.*\b(now|gone (up|down)|risen|up to|bumped"
                r"|higher|raised|increased)\b).*\b(what(\'ve| have)? you got(?! (on|for) (me|file))"
                r"|opens? (\w+ )?up|anything (more|else|new))\b",
            ),
        ),
        Skill(
            identity.verify_identity,
            (
                "it ends in 019",
                "the last three digits are 456",
                "my number ends with 4821",
                "last four digits 7 7 3 2",
                "it's zero one nine",
                "ends in five oh one nine",
                "my email is jane.doe@example.com",
                "it's tom.baker@mail.com",
                "the email should be isabella@example.com",
                "try mara.q@gmail.com",
            ),
            identity.reply_verified,
            cues=(
                r"\b(ends? (in|with)|last (three|four|3|4|few)( digits)?|digits)\b",
                r"[\w.+-]+@[\w-]+\.[\w.]+",
                # The whole number on file volunteered before anything was asked: it answers the check.
                r"\b(my|our) (mobile|mob|number|phone|cell)( number)?('s| is)\W+\+?\d[\d -]{6,}\d\b",
                r"!!\b(e-?mail|send|forward) (me|us|it|them|those|the)\b",
                r"!!^(?!.*(@|\d{3})).*\bemailed\b",  # "the bank's just emailed": no address, no digits
            ),
        ),
        # No examples: the policy model calls it when a name is given by a caller it did not
        # know, or one clearly another person's.
        Skill(identity.introduce, (), identity.reply_introduced),
    ),
    fallback="I can help you find a home, book a viewing, work out repayments or sell. What would you like?",
)


def greeting(ctx: CallContext) -> str:
    if ctx.caller is None or not ctx.caller.verified or ctx.caller.confidence < 0.85:
        # A possible match is greeted like anyone new: the greeting says nothing of whom they may be.
        return f"Hi, thanks for {ctx.thanked_for}. How can I help you today?"
    name = caller_name(ctx.caller)  # a caller who gave no name is stored under an id: never say it
    hello = f"Welcome back, {name.split()[0]}." if name else "Welcome back."
    upcoming = ctx.caller.upcoming_bookings
    if upcoming:
        b = upcoming[0]
        return (
            f"{hello} Your viewing of {b.address or 'the property'} is on "
            f"{spoken(b.starts_at, ctx.tz)}. How can I help?"
        )
    suburbs = [f.object_name for f in ctx.caller.facts if f.name == "PREFERS_SUBURB"]
    if suburbs:
        return f"{hello} Still looking in {', '.join(s for s in suburbs if s)}?"
    return f"{hello} How can I help today?"


REAL_ESTATE = Vertical(
    name="real-estate",
    root=ROOT,
    specialists=(PROPERTY_SEARCH, SUBURBS, MORTGAGE, VIEWINGS, SELLERS, HUMAN),
    escalation=ESCALATION,
    greeting=greeting,
    examples_file=Path(__file__).with_name("examples.jsonl"),
    gazetteer=homes.gazetteer,
    results=homes.Listing,
    readers={
        "property": resolve.read_property,
        "suburb": resolve.read_suburb,
        "pointed": resolve.read_pointed,
    },
    neighbours=NEIGHBOURS,
    off_topic=(
        "who won the footy last night?",
        "did you watch the cricket on the weekend?",
        "how are the Swans going this season?",
        "what's the weather going to be like tomorrow?",
        "is it going to rain this arvo?",
        "tell me a joke",
        "what's the capital of France?",
        "can you order me a pizza?",
        "what time does the pub shut?",
        "do you know any good movies on at the moment?",
        "what's the traffic like on the M5?",
        "who's going to win the election?",
    ),
)
