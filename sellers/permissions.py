"""Who may do what with sellers: named here, checked in views."""

# Dinkopdag's verifiers: approve, reject and suspend shops.
VERIFY_SELLER = "partner.verify_seller"
