"""The real providers, built from settings (``YIWANG_ALIPAY``, ``YIWANG_WECHAT``; the
settings refuse to start when an enabled provider lacks a field)."""

from __future__ import annotations

from django.conf import settings

from yiwang.payments.providers.alipay import AlipayConfig, AlipayProvider
from yiwang.payments.providers.base import Provider
from yiwang.payments.providers.wechat import WechatConfig, WechatProvider


def build_configured(name: str) -> Provider:
    if name == "alipay":
        alipay: dict[str, str] = settings.YIWANG_ALIPAY
        return AlipayProvider(
            AlipayConfig(
                app_id=alipay["app_id"],
                private_key_pem=alipay["private_key_pem"],
                alipay_public_key_pem=alipay["alipay_public_key_pem"],
                gateway_url=alipay["gateway_url"],
                seller_id=alipay["seller_id"],
            )
        )
    if name == "wechat":
        wechat: dict[str, str] = settings.YIWANG_WECHAT
        return WechatProvider(
            WechatConfig(
                mchid=wechat["mchid"],
                appid=wechat["appid"],
                api_v3_key=wechat["api_v3_key"],
                merchant_private_key_pem=wechat["merchant_private_key_pem"],
                merchant_serial_no=wechat["merchant_serial_no"],
                platform_public_key_pem=wechat["platform_public_key_pem"],
                platform_serial_no=wechat["platform_serial_no"],
                base_url=wechat["base_url"],
            )
        )
    raise LookupError(name)
