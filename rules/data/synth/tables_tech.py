"""Catalog tables: phones, computers, audio, cameras, TVs, gaming. Notation: see `tables_fashion.py`."""

STORAGE = "64GB, 128GB, 256GB, 512GB, 1TB"
DEVICE_COLOURS = "black, white, silver, graphite, blue, green, purple, pink"

SPECS = [
    dict(key="phones", name="Cell Phones", dept="Electronics", cores="smartphone, flip phone", generic="phone",
         brands="Apple*x2.2 (smartphone); Samsung* (smartphone); Google (smartphone); OnePlus (smartphone); Motorola "
                "(smartphone); Lively (flip phone, smartphone); Nokia. (flip phone, smartphone); Doro. (flip phone)",
         models="Apple: iPhone 15 = smartphone {colour: black/blue/green/pink, storage: 128GB/256GB/512GB, special "
                "feature: dual camera} | iPhone 15 Pro = smartphone {colour: black/white/blue, storage: "
                "128GB/256GB/512GB/1TB, special feature: triple camera/120Hz display} | iPhone 14 = smartphone "
                "{colour: black/white/blue/purple, storage: 128GB/256GB/512GB, special feature: dual camera}; Samsung: "
                "Galaxy S24 = smartphone {colour: black/graphite/purple, storage: 128GB/256GB/512GB, special feature: "
                "triple camera/120Hz display} | Galaxy S24 Ultra = smartphone {colour: black/graphite/purple, storage: "
                "256GB/512GB/1TB, special feature: large 6.7 inch screen/triple camera/120Hz display} | Galaxy Z Flip6 "
                "= smartphone {colour: blue/silver/green, storage: 256GB/512GB, special feature: large 6.7 inch "
                "screen/120Hz display}; Google: Pixel 8 = smartphone {colour: black/pink, storage: 128GB/256GB, "
                "special feature: 120Hz display/dual camera} | Pixel 8a = smartphone {colour: black/white/blue/green, "
                "storage: 128GB/256GB, special feature: 120Hz display/dual camera}; OnePlus: 12 = smartphone {colour: "
                "black/green, storage: 256GB/512GB, special feature: large 6.7 inch screen/triple camera/120Hz "
                "display}; Motorola: Moto G Power = smartphone {colour: blue/purple, storage: 128GB/256GB, special "
                "feature: large 6.7 inch screen/120Hz display}; Lively: Jitterbug Flip2 = flip phone {colour: black, "
                "special feature: SOS button and big buttons} | Jitterbug Smart4 = smartphone {colour: black, storage: "
                "64GB, special feature: simple mode with large icons}; Nokia: 2780 Flip = flip phone {colour: "
                "blue/black, special feature: long battery life}; Doro: 7100 = flip phone {colour: black/white, "
                "special feature: SOS button and big buttons}",
         attrs=f"colour: {DEVICE_COLOURS}; storage~@smartphone: {STORAGE}; special feature@flip phone: SOS button and "
               "big buttons, loud speaker, long battery life; special feature: simple mode with large icons, large "
               "6.7 inch screen, 120Hz display, triple camera, dual camera",
         price="180-450; flip phone: 50-110", adjacent="tablets@smartphone",
         model_pins="colour, storage, special feature",
         needs=[("knowledge", "phone for elderly parents | easy phone for my grandma | phone for someone with poor "
                 "eyesight and dementia", "a phone", "smartphone, flip phone",
                 "elderly users need a simple phone: big buttons or a simple mode, ideally an SOS key",
                 [("special feature", "simplicity (big buttons or a simple mode)",
                   "SOS button and big buttons, simple mode with large icons",
                   "large 6.7 inch screen, loud speaker")])]),
    dict(key="phone_accessories", name="Cell Phone Accessories", dept="Electronics", accessory_for="phones",
         cores="phone case, screen protector, phone charger, car phone mount",
         brands="Apple*x1.6 {colour: white} (phone charger); OtterBox*x1.4 (phone case, screen protector); Spigen "
                "(phone case, screen protector, car phone mount); Anker (phone charger, car phone mount); Belkin "
                "(phone charger, screen protector, car phone mount); ESR. (phone case, screen protector); Amazon "
                "Basics. (phone charger, car phone mount)",
         models="OtterBox: Defender = phone case {protection: drop-tested to military standard, material: "
                "polycarbonate} | Symmetry = phone case {material: polycarbonate}; Spigen: Tough Armor = phone case "
                "{protection: drop-tested to military standard, material: TPU} | Ultra Hybrid = phone case {material: "
                "TPU}; Anker: Nano 20W = phone charger",
         fits="phone case: smartphone, flip phone; screen protector: smartphone, flip phone",
         attrs="colour@phone case: black, clear, blue, pink, green, purple; colour@phone charger/car phone mount: "
               "black, white; material@phone case: silicone, TPU, leather, polycarbonate; protection@phone case: "
               "drop-tested to military standard, slim fit; type@screen protector: tempered glass, privacy glass, "
               "matte film; compatible with@phone case/screen protector: @parent",
         price="12-35", negate="material: leather; colour: black",
         needs=[("qa", "which phone case protects best against drops | most protective phone case", "a phone case",
                 "phone case", "drop protection is proven by military-standard drop tests",
                 [("protection", "tested drop protection", "drop-tested to military standard", "")])]),
    dict(key="tablets", name="Tablets & E-readers", dept="Electronics", cores="tablet, e-reader, kids tablet",
         brands="Apple* (tablet); Samsung (tablet); Lenovo (tablet); Amazon. {screen size: 8 inch/10.1 inch/11 inch, "
                "storage: 8GB/16GB/32GB/64GB/128GB} (tablet, e-reader, kids tablet); Kobo (e-reader); reMarkable* "
                "{water resistance: not water resistant, colour: graphite, storage: 8GB} (e-reader)",
         models="Apple: iPad Air 11 = tablet {screen size: 11 inch, colour: blue/purple/graphite/white} | iPad Pro 13 "
                "= tablet {screen size: 13 inch, colour: silver/black}; Samsung: Galaxy Tab S9 = tablet {screen size: "
                "11 inch, colour: graphite} | Galaxy Tab A9 = tablet {screen size: 8 inch, colour: "
                "graphite/silver/blue}; Amazon: Fire HD 10 = tablet {screen size: 10.1 inch, colour: "
                "black/blue/purple/green} | Kindle Paperwhite = e-reader {water resistance: IPX8, colour: "
                "black/green/pink} | Fire HD 8 Kids = kids tablet {colour: blue/purple/green}; Kobo: Clara 2E = "
                "e-reader {water resistance: IPX8, colour: blue}; Lenovo: Tab M10 = tablet {screen size: 10.1 inch, "
                "colour: graphite/blue}",
         attrs=f"colour: {DEVICE_COLOURS}; storage~@e-reader: 8GB, 16GB, 32GB; storage~@kids tablet: 16GB, 32GB, "
               "64GB; storage~: 32GB, 64GB, 128GB, 256GB; screen size~@tablet: 8 inch, 10.1 inch, 11 inch, 13 inch; "
               "water resistance@e-reader: IPX8, not water resistant; display: touchscreen",
         price="130-350; e-reader: 100-180; kids tablet: 80-140", adjacent="phones@tablet, laptops@tablet",
         model_pins="screen size, colour",
         needs=[("qa", "which e-reader can i read in the bath | waterproof e-reader for the pool", "an e-reader",
                 "e-reader", "reading in the bath needs a waterproof (IPX8) e-reader",
                 [("water resistance", "waterproofing", "IPX8", "")])]),
    dict(key="laptops", name="Laptops", dept="Computers", generic="laptop",
         cores="notebook laptop, gaming laptop, 2-in-1 laptop, Chromebook",
         brands="Apple*x1.5 {display: non-touch, colour: silver/grey/black} (notebook laptop); Razer*x1.4 {colour: "
                "black} (gaming laptop); Microsoft* {display: touchscreen} (2-in-1 laptop, notebook laptop); Dell; HP; "
                "Lenovo; ASUS; Acer. ",
         models="Apple: MacBook Air 13 = notebook laptop {screen size: 13.6 inch, colour: silver/grey/black} | MacBook "
                "Pro 14 = notebook laptop {screen size: 14 inch, colour: silver/black}; Dell: XPS 13 = notebook laptop "
                "{screen size: 13.3 inch, colour: silver/grey} | Inspiron 15 = notebook laptop {screen size: 15.6 "
                "inch, colour: black/silver} | Alienware m16 = gaming laptop {screen size: 16 inch, colour: black}; "
                "HP: Pavilion 15 = notebook laptop {screen size: 15.6 inch, colour: silver/blue} | Spectre x360 = "
                "2-in-1 laptop {screen size: 14 inch, colour: black/blue} | Chromebook 14 = Chromebook {screen size: "
                "14 inch, colour: silver}; Lenovo: ThinkPad X1 Carbon = notebook laptop {screen size: 14 inch, colour: "
                "black} | Yoga 7i = 2-in-1 laptop {screen size: 14 inch, colour: grey/blue} | Legion 5 = gaming laptop "
                "{screen size: 15.6 inch, colour: grey}; ASUS: ROG Zephyrus G14 = gaming laptop {screen size: 14 inch, "
                "colour: grey/silver} | Zenbook 14 = notebook laptop {screen size: 14 inch, colour: blue/black} | "
                "Chromebook Plus CX34 = Chromebook {screen size: 14 inch, colour: silver}; Acer: Aspire 5 = notebook "
                "laptop {screen size: 15.6 inch, colour: silver/grey} | Nitro V 15 = gaming laptop {screen size: 15.6 "
                "inch, colour: black} | Chromebook 314 = Chromebook {screen size: 14 inch, colour: silver}; Razer: "
                "Blade 16 = gaming laptop {screen size: 16 inch, colour: black}; Microsoft: Surface Pro 11 = 2-in-1 "
                "laptop {screen size: 13 inch, colour: silver/black/blue}",
         attrs="colour: silver, grey, black, blue; memory~@Chromebook: 4GB, 8GB; memory~: 8GB, 16GB, 32GB, 64GB; "
               "screen size~: 13 inch, 13.3 inch, 13.6 inch, 14 inch, 15.6 inch, 16 inch, 17.3 inch; graphics@gaming "
               "laptop: NVIDIA RTX 4060, NVIDIA RTX 4070; graphics: integrated graphics; display@2-in-1 laptop: "
               "touchscreen; display: touchscreen, non-touch",
         price="450-900; gaming laptop: 900-1700; Chromebook: 180-380",
         adjacent="tablets@notebook laptop/2-in-1 laptop/Chromebook", model_pins="screen size, colour",
         negate="display: touchscreen",
         needs=[("qa", "what laptop is good for 4k video editing | how much ram for a video editing laptop",
                 "a laptop", "notebook laptop, gaming laptop, 2-in-1 laptop, Chromebook",
                 "4K video editing needs 32GB of memory; 16GB copes with lighter projects",
                 [("memory", "32GB of memory or more", "32GB, 64GB", "16GB")]),
                ("knowledge", "laptop that can play cyberpunk 2077 | laptop for playing aaa games", "a laptop",
                 "gaming laptop, notebook laptop", "recent AAA games need a dedicated NVIDIA RTX graphics card",
                 [("graphics", "dedicated graphics", "NVIDIA RTX 4070", "NVIDIA RTX 4060")])]),
    dict(key="laptop_accessories", name="Laptop Accessories", dept="Computers", accessory_for="laptops",
         cores="laptop sleeve, laptop stand, USB-C hub, laptop charger",
         fits="laptop sleeve: notebook laptop, gaming laptop, 2-in-1 laptop, Chromebook; laptop charger: notebook "
              "laptop, gaming laptop, 2-in-1 laptop, Chromebook",
         brands="Satechi*x1.4 (USB-C hub, laptop stand); Anker (USB-C hub, laptop charger); "
                "Belkin (USB-C hub, laptop stand); tomtoc (laptop sleeve); Rain Design (laptop stand); Amazon Basics. "
                "(laptop sleeve, laptop stand, laptop charger)",
         attrs="colour: black, grey, silver, blue, pink; material@laptop sleeve: neoprene, polyester, felt, leather; "
               "compatible with@laptop sleeve/laptop charger: @parent",
         price="18-45"),
    dict(key="headphones", name="Headphones", dept="Electronics", generic="headphones",
         cores="over-ear headphones, on-ear headphones, wireless earbuds, wired earbuds",
         brands="Apple* {noise control: active noise cancelling} (wireless earbuds, over-ear headphones); Bose* "
                "(over-ear headphones, wireless earbuds); Sony; Sennheiser (over-ear headphones, wireless earbuds, "
                "wired earbuds); Beats (over-ear headphones, wireless earbuds, on-ear headphones); JBL; Soundcore. "
                "(over-ear headphones, wireless earbuds); Skullcandy. ",
         models="Apple: AirPods Pro 2 = wireless earbuds {noise control: active noise cancelling, colour: white, water "
                "resistance: IPX4} | AirPods Max = over-ear headphones {noise control: active noise cancelling, "
                "colour: silver/black/blue/pink}; Sony: WH-1000XM5 = over-ear headphones {noise control: active noise "
                "cancelling, colour: black/silver/blue} | WF-1000XM5 = wireless earbuds {noise control: active noise "
                "cancelling, colour: black/silver, water resistance: IPX4}; Bose: QuietComfort Ultra = over-ear "
                "headphones {noise control: active noise cancelling, colour: black/white/beige} | QuietComfort Ultra "
                "Earbuds = wireless earbuds {noise control: active noise cancelling, colour: black/white, water "
                "resistance: IPX4}; Beats: Studio Pro = over-ear headphones {colour: black/blue/beige} | Powerbeats "
                "Pro = wireless earbuds {colour: black/blue/beige, water resistance: IPX4}; JBL: Tune 510BT = on-ear "
                "headphones {noise control: no noise cancelling}; Soundcore: Space Q45 = over-ear headphones {noise "
                "control: active noise cancelling, colour: black/white/blue} | Liberty 4 NC = wireless earbuds {noise "
                "control: active noise cancelling, water resistance: IPX4}; Sennheiser: Momentum 4 = over-ear "
                "headphones {noise control: active noise cancelling, colour: black/white}",
         attrs="colour: black, white, silver, blue, beige, pink; noise control@wired earbuds: passive isolation, no "
               "noise cancelling; noise control: active noise cancelling, passive isolation, no noise cancelling; "
               "water resistance@wireless earbuds/wired earbuds: IPX4, IPX5, IPX7, not water resistant",
         price="40-150", adjacent="speakers, gaming_accessories", negate="colour: white",
         needs=[("qa", "which headphones are best for long flights | headphones to block airplane noise",
                 "headphones", "over-ear headphones, on-ear headphones, wireless earbuds",
                 "engine drone is best blocked by active noise cancelling",
                 [("noise control", "active noise cancelling", "active noise cancelling", "passive isolation")]),
                ("knowledge", "earbuds for running in the rain | sweatproof earbuds for the gym", "earbuds",
                 "wireless earbuds, wired earbuds", "sweat and rain call for IPX5 water resistance or better",
                 [("water resistance", "IPX5 or better", "IPX5, IPX7", "IPX4")])]),
    dict(key="speakers", name="Speakers", dept="Electronics",
         cores="bluetooth speaker, smart speaker, soundbar",
         brands="Sonos* (smart speaker, soundbar); Bose* (bluetooth speaker, soundbar); JBL (bluetooth speaker, "
                "soundbar); Ultimate Ears (bluetooth speaker); Amazon. (smart speaker); Apple* (smart speaker); "
                "Soundcore. (bluetooth speaker); Vizio. (soundbar)",
         models="JBL: Flip 6 = bluetooth speaker {water resistance: IP67} | Charge 5 = bluetooth speaker {water "
                "resistance: IP67}; Sonos: Era 100 = smart speaker {colour: black/white} | Beam Gen 2 = soundbar "
                "{colour: black/white}; Bose: SoundLink Flex = bluetooth speaker {water resistance: IP67} | Smart "
                "Soundbar = soundbar {colour: black}; Amazon: Echo Dot = smart speaker {colour: black/white/blue} | "
                "Echo Pop = smart speaker {colour: black/white}; Apple: HomePod mini = smart speaker {colour: "
                "white/black/blue/grey}; Ultimate Ears: Wonderboom 4 = bluetooth speaker {water resistance: IP67}",
         attrs="colour: black, white, blue, red, grey, green; water resistance@bluetooth speaker: IP67, IPX4, not "
               "water resistant",
         price="40-150; soundbar: 120-300", adjacent="headphones, tvs@soundbar",
         needs=[("knowledge", "speaker for the pool | speaker i can take to the beach", "a speaker",
                 "bluetooth speaker", "by a pool a speaker must survive a dunk: IP67",
                 [("water resistance", "IP67 waterproofing", "IP67", "IPX4")])]),
    dict(key="smartwatches", name="Smartwatches & Trackers", dept="Electronics",
         cores="smartwatch, fitness tracker, smart ring",
         brands="Apple* {works with: iPhone only} (smartwatch); Samsung {works with: Android only} (smartwatch); "
                "Google {works with: Android only} (smartwatch); Garmin {works with: iPhone and Android} "
                "(smartwatch, fitness tracker); Fitbit {works with: iPhone and Android} (fitness tracker); Oura*x1.5 "
                "{works with: iPhone and Android} (smart ring); Amazfit. {works with: iPhone and Android} "
                "(smartwatch, fitness tracker); Xiaomi. {works with: iPhone and Android} (fitness tracker); "
                "RingConn. {works with: iPhone and Android} (smart ring)",
         models="Apple: Watch Series 9 = smartwatch {case size: 41 mm/45 mm} | Watch SE = smartwatch {case size: 40 "
                "mm/44 mm} | Watch Ultra 2 = smartwatch {case size: 49 mm}; Samsung: Galaxy Watch6 = smartwatch {case "
                "size: 40 mm/44 mm}; Google: Pixel Watch 2 = smartwatch {case size: 41 mm}; Garmin: Forerunner 265 = "
                "smartwatch {case size: 42 mm/46 mm} | Venu 3 = smartwatch {case size: 41 mm/45 mm} | Vivosmart 5 = "
                "fitness tracker; Fitbit: Charge 6 = fitness tracker | Inspire 3 = fitness tracker; Oura: Ring Gen3 = "
                "smart ring; Amazfit: Bip 5 = smartwatch {case size: 46 mm}",
         attrs="colour: black, silver, gold, pink, blue, green; case size~@smartwatch: 40 mm, 41 mm, 42 mm, 44 mm, 45 "
               "mm, 46 mm, 49 mm; works with: iPhone only, Android only, iPhone and Android",
         price="150-300; fitness tracker: 50-120", adjacent="watches", model_pins="case size",
         needs=[("qa", "which smartwatch works with iphone | smartwatch compatible with my iphone", "a smartwatch",
                 "smartwatch", "an iPhone owner needs a watch that pairs with iOS",
                 [("works with", "iPhone support", "iPhone only, iPhone and Android", "")])]),
    dict(key="cameras", name="Cameras", dept="Electronics",
         cores="mirrorless camera, DSLR camera, compact camera, action camera, instant camera", generic="camera",
         brands="Leica*x4 {colour: black/silver} (compact camera, mirrorless camera); Sony (mirrorless camera, compact "
                "camera); Canon (mirrorless camera, DSLR camera, compact camera); Nikon (mirrorless camera, DSLR "
                "camera, compact camera); Fujifilm (mirrorless camera, compact camera, instant camera); GoPro {colour: "
                "black} (action camera); DJI {colour: black} (action camera); Kodak. (compact camera, instant camera); "
                "Polaroid (instant camera)",
         models="Sony: Alpha a7 IV = mirrorless camera {screen: flip-out screen, colour: black} | ZV-1 II = compact "
                "camera {screen: flip-out screen, colour: black}; Canon: EOS R50 = mirrorless camera {screen: flip-out "
                "screen, colour: black/white} | EOS Rebel T7 = DSLR camera {screen: fixed screen, colour: black} | "
                "PowerShot G7 X Mark III = compact camera {screen: flip-out screen, colour: black/silver}; Nikon: Z50 "
                "II = mirrorless camera {screen: flip-out screen, colour: black} | D3500 = DSLR camera {screen: fixed "
                "screen, colour: black}; Fujifilm: X-T5 = mirrorless camera {colour: black/silver} | Instax Mini 12 = "
                "instant camera; GoPro: HERO12 Black = action camera {colour: black}; DJI: Osmo Action 4 = action "
                "camera {colour: black}; Leica: Q3 = compact camera {screen: flip-out screen, colour: black}",
         attrs="colour@instant camera: white, pink, blue, green, purple; colour: black, silver, white; "
               "screen@mirrorless camera/DSLR camera/compact camera: flip-out screen, fixed screen",
         price="450-1100; compact camera: 150-500; action camera: 200-400; instant camera: 60-120",
         needs=[("knowledge", "camera for vlogging on youtube | best camera for a beginner vlogger", "a camera",
                 "mirrorless camera, compact camera", "vloggers film themselves, so the screen must flip to the front",
                 [("screen", "a flip-out screen", "flip-out screen", "")])]),
    dict(key="camera_accessories", name="Camera Accessories", dept="Electronics", accessory_for="cameras",
         cores="camera lens, tripod, camera bag, memory card",
         brands="Sigma (camera lens); Tamron (camera lens); Peak Design*x1.5 (camera bag, tripod); Manfrotto*x1.5 "
                "(tripod, camera bag); SanDisk (memory card); Lexar (memory card); Amazon Basics. (tripod, camera "
                "bag)",
         fits="camera lens: mirrorless camera, DSLR camera; memory card: mirrorless camera, DSLR camera, compact "
              "camera, action camera; tripod: mirrorless camera, DSLR camera, compact camera, action camera",
         attrs="colour@tripod/camera bag: black, grey, green; compatible with@camera lens: @parent; capacity~@memory "
               "card: 64GB, 128GB, 256GB",
         price="25-90; camera lens: 300-700"),
    dict(key="tvs", name="Televisions", dept="Electronics", cores="OLED TV, QLED TV, LED TV", generic="tv",
         brands="Sony*x1.4; LG (OLED TV, LED TV); Samsung (QLED TV, OLED TV, LED TV); TCL. (QLED TV, LED TV); "
                "Hisense. (QLED TV, LED TV); Vizio. (LED TV, QLED TV)",
         models="LG: C3 = OLED TV {refresh rate: 120 Hz} | B3 = OLED TV {refresh rate: 120 Hz}; Samsung: QN90C = QLED "
                "TV {refresh rate: 144 Hz} | S90C = OLED TV {refresh rate: 144 Hz}; Sony: Bravia XR A80L = OLED TV "
                "{refresh rate: 120 Hz}; TCL: Q6 = QLED TV {refresh rate: 60 Hz}; Hisense: U8 = QLED TV {refresh "
                "rate: 144 Hz}",
         attrs="screen size~: 43 inch, 50 inch, 55 inch, 65 inch, 75 inch; refresh rate@OLED TV: 120 Hz, 144 Hz; "
               "refresh rate: 60 Hz, 120 Hz, 144 Hz",
         price="350-900; OLED TV: 1100-2200", adjacent="monitors, speakers",
         needs=[("qa", "what tv is best for ps5 gaming | tv for xbox series x 120fps", "a TV", "OLED TV, QLED TV, LED "
                 "TV", "120 fps console games need a 120 Hz panel or faster",
                 [("refresh rate", "a 120 Hz or faster panel", "120 Hz, 144 Hz", "")])]),
    dict(key="monitors", name="Monitors", dept="Computers", cores="gaming monitor, office monitor, portable monitor",
         generic="monitor",
         brands="Dell; LG; Samsung; ASUS; BenQ; Alienware* (gaming monitor); Acer. ; Sceptre. (gaming monitor, office "
                "monitor)",
         models="Dell: UltraSharp U2723QE = office monitor {panel: IPS, screen size: 27 inch, refresh rate: 60 Hz}; "
                "LG: UltraGear 27GP850 = gaming monitor {panel: IPS, screen size: 27 inch, refresh rate: 165 Hz}; "
                "Samsung: Odyssey G7 = gaming monitor {panel: VA, screen size: 27 inch/32 inch, refresh rate: 240 Hz}; "
                "BenQ: Zowie XL2546K = gaming monitor {panel: TN, screen size: 24 inch, refresh rate: 240 Hz}; "
                "Alienware: AW3423DWF = gaming monitor {panel: OLED, screen size: 34 inch, refresh rate: 165 Hz}",
         attrs="screen size~@portable monitor: 14 inch, 15.6 inch, 16 inch; screen size~: 24 inch, 27 inch, 32 inch, "
               "34 inch; panel: IPS, VA, TN, OLED; refresh rate@gaming monitor: 144 Hz, 165 Hz, 240 Hz; refresh "
               "rate: 60 Hz, 75 Hz",
         price="150-400", adjacent="tvs", model_pins="screen size",
         needs=[("qa", "what monitor is good for photo editing | monitor with accurate colours for photographers",
                 "a monitor", "office monitor, gaming monitor, portable monitor",
                 "accurate colour needs an IPS or OLED panel",
                 [("panel", "an IPS or OLED panel", "IPS, OLED", "VA")])]),
    dict(key="consoles", name="Video Game Consoles", dept="Video Games", cores="game console, handheld console",
         generic="console",
         brands="Sony* {colour: white/black} (game console); Microsoft {colour: black/white} (game console); Nintendo "
                "{colour: white/neon red and blue/grey/blue, storage: 32GB/64GB} (handheld console); Valve {storage: "
                "512GB/1TB, colour: black} (handheld console); ASUS {storage: 512GB, colour: white/black} (handheld "
                "console)",
         models="Sony: PlayStation 5 Slim = game console {storage: 1TB, colour: white/black}; Microsoft: Xbox Series X "
                "= game console {storage: 1TB, colour: black} | Xbox Series S = game console {storage: 512GB/1TB, "
                "colour: white/black}; Nintendo: Switch OLED = handheld console {storage: 64GB, colour: white/neon red "
                "and blue} | Switch Lite = handheld console {storage: 32GB, colour: grey/blue}; Valve: Steam Deck OLED "
                "= handheld console {storage: 512GB/1TB, colour: black}; ASUS: ROG Ally = handheld console {storage: "
                "512GB, colour: white}",
         attrs="colour: black, white, grey, blue, neon red and blue; storage~@handheld console: 32GB, 64GB, 512GB, "
               "1TB; storage~: 512GB, 1TB, 2TB",
         price="280-480; handheld console: 200-550", model_pins="colour, storage"),
    dict(key="gaming_accessories", name="Gaming Accessories", dept="Video Games", accessory_for="consoles",
         cores="game controller, gaming headset, charging dock", adjacent="headphones@gaming headset",
         fits="game controller: game console, handheld console; gaming headset: game console, handheld console; "
              "charging dock: game console, handheld console",
         brands="Sony* {compatible with: Sony PlayStation 5 Slim} (game controller); Microsoft {compatible with: "
                "Microsoft Xbox Series X} (game controller); 8BitDo (game controller); SteelSeries (gaming "
                "headset); Razer (gaming headset, game controller); HyperX (gaming headset); PowerA. (game "
                "controller, charging dock)",
         models="Sony: DualSense = game controller | DualSense Edge = game controller; Microsoft: Xbox Wireless "
                "Controller = game controller; SteelSeries: Arctis Nova 7 = gaming headset; Razer: BlackShark V2 = "
                "gaming headset; 8BitDo: Ultimate = game controller",
         attrs="colour: black, white, red, blue, purple; compatible with: @parent",
         price="35-80; charging dock: 20-35"),
]

KIN = [
    "tablet ~ 2-in-1 laptop", "tablet ~ kids tablet", "tablet ~ e-reader",
    "notebook laptop ~ 2-in-1 laptop", "notebook laptop ~ Chromebook",
    "over-ear headphones ~ on-ear headphones", "wireless earbuds ~ wired earbuds", "over-ear headphones ~ gaming "
    "headset", "bluetooth speaker ~ smart speaker", "smartwatch ~ fitness tracker", "fitness tracker ~ smart ring",
    "mirrorless camera ~ DSLR camera", "mirrorless camera ~ compact camera", "compact camera ~ action camera",
    "OLED TV ~ QLED TV", "QLED TV ~ LED TV", "gaming monitor ~ office monitor", "office monitor ~ portable monitor",
    "game console ~ handheld console",
]
