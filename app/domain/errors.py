"""Domain errors: each carries a message a packer, clerk or admin can act on."""


class DomainError(Exception):
    """A rule of the warehouse was broken; nothing was changed."""


class InvalidBarcode(DomainError):
    pass


class InsufficientStock(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class InvalidQuantity(DomainError):
    pass
