// Placeholder: the lostmail command line (see LostMail.swift once written).
