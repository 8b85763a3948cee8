import pytest
from django.core.exceptions import ValidationError

from accounts.validators import MSG_NPI_CHECK_DIGIT, MSG_NPI_FORMAT, validate_npi


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_valid_npis_pass(npi):
    validate_npi(npi)


@pytest.mark.parametrize("npi", ["1234567890", "1234567894", "1245319598"])
def test_wrong_check_digit_is_refused(npi):
    with pytest.raises(ValidationError) as error:
        validate_npi(npi)
    assert error.value.messages == [MSG_NPI_CHECK_DIGIT]


@pytest.mark.parametrize("npi", ["123456789", "12345678933", "12345a7893", "１２３４５６７８９３"])
def test_malformed_npi_is_refused(npi):
    with pytest.raises(ValidationError) as error:
        validate_npi(npi)
    assert error.value.messages == [MSG_NPI_FORMAT]
