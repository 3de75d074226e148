/// Word lists for realistic, deterministic names.
enum Names {
    static let first = [
        "anna", "bernd", "clara", "david", "eva", "felix", "greta", "hans", "ida", "jonas",
        "karin", "lukas", "maria", "nils", "olga", "paul", "quirin", "rita", "sven", "tina",
        "uwe", "vera", "walter", "xenia", "yusuf", "zoe", "info", "kontakt", "buero", "service",
    ]
    static let last = [
        "schmidt", "mueller", "schneider", "fischer", "weber", "meyer", "wagner", "becker",
        "schulz", "hoffmann", "koch", "richter", "klein", "wolf", "neumann", "schwarz",
        "zimmermann", "braun", "krueger", "hartmann", "lange", "werner", "krause", "lehmann",
    ]
    static let providers = [
        "gmail.com", "web.de", "gmx.net", "gmx.de", "t-online.de", "outlook.com", "posteo.de",
        "yahoo.de", "freenet.de", "icloud.com", "mailbox.org", "aol.com",
    ]
    static let stems = [
        "alpenblick", "baeckerei-sonne", "bergwerk", "cafe-linde", "dachdecker-ost", "elektro-nord",
        "fahrradladen", "gaertnerei", "hotel-adler", "immobilien-sued", "juwelier-gold",
        "kanzlei-recht", "landhaus", "metzgerei", "naturkost", "optik-klar", "praxis-gesund",
        "reisebuero", "schreinerei", "tanzschule", "uhrmacher", "verlag-blau", "weinhandel",
        "zahnarzt-lacht", "yoga-studio", "kfz-werkstatt", "friseur-schnitt", "musikschule",
    ]
}
