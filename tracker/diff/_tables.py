"""Who receives data and which data: the phrases that name them, which the flags compare
(party_added, data_type_removed ...: tracker.diff.flags) and the topics read as sharing and
collection (tracker.diff.categories). Lower case, matched on the folded text on word
boundaries; every phrase starts with a letter.
"""

# Who receives data. Each entry: the party's name, and the phrases that name it.
PARTIES = {
    "third parties": r"third[- ]part(?:y|ies)",
    "affiliates": r"affiliat(?:e|es|ed companies)",
    "subsidiaries": r"subsidiar(?:y|ies)|parent compan(?:y|ies)",
    "advertisers": r"advertis(?:er|ers|ing partners?|ing networks?)",
    "partners": r"(?:business|marketing) partners?",
    "service providers": r"service providers?|vendors?|processors?|contractors?",
    "analytics providers": r"analytics (?:providers?|services?|partners?)",
    "data brokers": r"data brokers?",
    "social networks": r"social (?:networks?|media (?:platforms?|sites?|services?))",
    "law enforcement": r"law enforcement|police|government(?:al)? (?:agencies|authorities|entities)|public authorities|regulators?",
    "acquirers": r"acquir(?:er|ers|ing (?:company|entity))|successors? (?:entity|in interest)",
}

# What kind of personal data. Each entry: the data type, and the phrases that name it.
DATA_TYPES = {
    "location": r"(?:geo)?location|gps|geolocation|precise location",
    "biometric": r"biometrics?|fingerprints?|face ?prints?|facial (?:recognition|geometry|scans?)|voice ?prints?|retina|iris scans?",
    "contacts": r"contacts|contact (?:lists?|information of your friends)|address book|phone ?book",
    "health": r"health|medical|fitness|diagnos[ie]s",
    "financial": r"financial|credit card|debit card|bank account|payment (?:information|card|details)|billing information",
    "device identifiers": r"device identifiers?|advertising (?:id|identifiers?)|imei|mac address|ip address(?:es)?",
    "browsing history": r"browsing history|search history",
    "government identifiers": r"social security numbers?|passport|driver[’']?s licen[cs]e|national id",
    "children's data": r"children[’']?s (?:data|information)|from children",
}
