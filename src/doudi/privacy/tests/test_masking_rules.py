from doudi.privacy.masking import mask_address, mask_name, mask_phone


def test_address_keeps_road_hides_numbers():
    masked = mask_address("上海市浦东新区张江镇田园762弄29号104室")
    assert masked == "上海市浦东新区张江镇田园***弄**号***室"


def test_address_hides_fullwidth_and_chinese_numerals():
    assert mask_address("测试路１２号三楼") == "测试路**号*楼"


def test_address_without_digits_keeps_half():
    assert mask_address("某某路某某小区") == "某某路****"


def test_name_keeps_surname():
    assert mask_name("王测试") == "王**"


def test_phone_keeps_ends():
    assert mask_phone("13800000000") == "138****0000"
